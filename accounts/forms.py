"""Password reset request: limited per client address and per address asked for, and answered the
same way whether or not the address belongs to a user."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from common.enqueue import send_after_commit
from common.ratelimit import hit_exceeds


class RateLimitedPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(label=_("登记的电子邮箱"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))

    def __init__(self, *args, client_ip: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client_ip = client_ip

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        # Both limits count every request, whether or not the address is known: hitting one says nothing
        # about who has an account.
        if (hit_exceeds("password-reset:ip", self.client_ip, settings.PASSWORD_RESET_PER_IP_HOURLY)
                or hit_exceeds("password-reset:email", email, settings.PASSWORD_RESET_PER_EMAIL_HOURLY)):
            raise forms.ValidationError(_("重置密码的请求过于频繁，请一小时后再试。"), code="rate_limited")
        return email

    def save(self, **kwargs) -> None:
        """Queue one email per matching account; the worker makes the link (accounts.services)."""
        from . import tasks

        for user in self.get_users(self.cleaned_data["email"]):
            send_after_commit(tasks.send_password_reset_email, user.pk)
