"""Celery tasks of the analysis app: they take ids and call a service."""
from celery import shared_task

from common.tasks import RELIABLE

from . import services


@shared_task(name="analysis.generate_bulletin", **RELIABLE)
def generate_bulletin(bulletin_id: int) -> str:
    return services.bulletin_generate(bulletin_id=bulletin_id).status
