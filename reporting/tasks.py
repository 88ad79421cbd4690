"""Celery tasks of monthly reporting: they take ids and call a service.

Applying an upload is idempotent (a re-delivered task finds it done and does nothing), so it takes
the reliable options: acknowledged late, re-delivered when a worker dies, retried on database errors.
"""
from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.utils.translation import gettext as _

from common.tasks import RELIABLE

from . import services


class AppliesUpload(DjangoTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Out of retries (or a bug): fail the upload so its report can be edited again.
        services.monthly_upload_give_up(upload_id=args[0], message=_("导入未能完成，请重新上传；如多次失败请联系管理员"))


@shared_task(name="reporting.apply_monthly_upload", base=AppliesUpload, **RELIABLE)
def apply_monthly_upload(upload_id: int) -> str:
    return services.monthly_upload_apply(upload_id=upload_id).status


@shared_task(name="reporting.clean_up_uploads", **RELIABLE)
def clean_up_uploads() -> int:
    return services.monthly_uploads_clean_up()


@shared_task(name="reporting.release_stuck_uploads", **RELIABLE)
def release_stuck_uploads() -> int:
    return services.monthly_uploads_release_stuck()
