"""Celery tasks of accounts: they take ids and call a service."""
from celery import shared_task

from common.tasks import RELIABLE

from . import services

# Retried while the SMTP server is unreachable (smtplib's errors are OSErrors); a reset link is
# only worth sending while it is still valid, and a second identical email does no harm.
RESET_EMAIL = {**RELIABLE, "autoretry_for": (*RELIABLE["autoretry_for"], OSError), "max_retries": 4}


@shared_task(name="accounts.send_password_reset_email", **RESET_EMAIL)
def send_password_reset_email(user_id: int) -> bool:
    return services.password_reset_email_send(user_id=user_id)
