"""Sending one-time codes by SMS.

A backend is chosen by `SELECTION_SMS_BACKEND`. Real gateways (the government SMS platform, a
cloud provider) subclass `SmsBackend` later; the console backend serves development and tests,
and shows the code on the voting page since it sends no message.
"""
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from common.privacy import mask_phone

logger = logging.getLogger(__name__)


class SmsBackend:
    def send_code(self, *, phone: str, code: str, ttl_seconds: int) -> None:
        raise NotImplementedError

    def code_for_page(self, phone: str) -> str | None:
        """The code just sent to `phone` when this backend delivers nothing and the page must show it
        instead (development); None for a backend that really sends messages."""
        return None


class ConsoleSmsBackend(SmsBackend):
    """Logs the message instead of sending it, and keeps the last code per number in the cache
    so a developer (or a browser test) can read it back with `last_code_for`."""

    cache_prefix = "selection:console-sms:"

    def send_code(self, *, phone: str, code: str, ttl_seconds: int) -> None:
        message = _("【泉州住建】您的投票验证码为 %(code)s，%(minutes)s 分钟内有效。") % {
            "code": code, "minutes": max(1, ttl_seconds // 60)}
        logger.info("SMS to %s: %s", mask_phone(phone), message)
        cache.set(self.cache_prefix + phone, code, ttl_seconds)

    @classmethod
    def last_code_for(cls, phone: str) -> str | None:
        return cache.get(cls.cache_prefix + phone)

    def code_for_page(self, phone: str) -> str | None:
        # The code reaches nobody by SMS, so a developer or tester reads it on the page. Never under
        # PRODUCTION, where `check --deploy` also refuses this backend (common.security).
        return None if settings.PRODUCTION else self.last_code_for(phone)


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SELECTION_SMS_BACKEND)()
