"""Writes about accounts: the password-reset email.

The email is built in a Celery worker from the user's id, so the one-time link never passes through
the broker, and a reset request answers as fast whether or not its address belongs to anyone.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def password_reset_email_send(*, user_id: int) -> bool:
    """Email the user a one-time link to choose a new password; False when they may not reset one
    (gone, deactivated, no email or no usable password since the request)."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or not user.has_usable_password():
        return False
    path = reverse("password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                     "token": default_token_generator.make_token(user)})
    context = {"user": user, "reset_url": f"{settings.PORTAL_BASE_URL}{path}",
               "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
    subject = "".join(render_to_string("accounts/email/password_reset_subject.txt", context).splitlines())
    EmailMessage(subject=subject, body=render_to_string("accounts/email/password_reset.txt", context),
                 to=[user.email]).send()
    return True
