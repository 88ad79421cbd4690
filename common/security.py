"""Transport and login hardening shared by every page: the Content-Security-Policy, production guards,
and the access log of unmasked personal information (PIPL)."""
from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.core import checks
from django.http import HttpResponse

personal_data_log = logging.getLogger("quanzhou_pm.personal_data")

# Only our own static files: no inline scripts or styles, no third-party hosts. json_script blocks
# (type="application/json") are data, which CSP does not treat as script.
DEFAULT_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)

    def __call__(self, request):
        response: HttpResponse = self.get_response(request)
        # A view that sets a stricter policy of its own (file downloads) keeps it.
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


def client_ip(request) -> str:
    """The client's address, the one key of every per-address limit (voting, API throttles, login lockout).

    Each trusted proxy appends the address it saw to X-Forwarded-For, so behind N of them the client is
    the Nth entry from the right; entries further left are whatever the client wrote and are never
    read. A request with fewer entries than proxies, or one whose entry is not an address, counts as
    the connecting peer (REMOTE_ADDR), so a made-up header never opens a bucket of its own.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return peer
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return peer


def log_personal_data_view(request, *, what: str, obj) -> None:
    """Record who saw unmasked personal information, of which record, and when (the log's timestamp)."""
    personal_data_log.info("user=%s id=%s viewed %s of %s pk=%s path=%s", request.user.get_username(),
                           request.user.pk, what, obj._meta.label, obj.pk, request.path)


@checks.register(checks.Tags.security, deploy=True)
def production_guards(app_configs, **kwargs):
    errors = []
    if getattr(settings, "PRODUCTION", False) and settings.SELECTION_SMS_BACKEND.endswith("ConsoleSmsBackend"):
        errors.append(checks.Error(
            "SELECTION_SMS_BACKEND is the console backend: voting codes would only be logged.",
            hint="Set SELECTION_SMS_BACKEND to the SMS gateway's backend in production.",
            id="quanzhou_pm.E001"))
    if getattr(settings, "PRODUCTION", False):
        errors += _email_guards()
    return errors


# Backends that never deliver a message: fine in development, a silent loss of every notice and
# password reset in production.
_UNDELIVERING_EMAIL_BACKENDS = ("console", "locmem", "dummy", "filebased")


def _email_guards() -> list:
    errors = []
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend in _UNDELIVERING_EMAIL_BACKENDS:
        errors.append(checks.Error(
            f"EMAIL_BACKEND is the {backend} backend: notices and password-reset emails would reach nobody.",
            hint="Leave EMAIL_BACKEND unset (SMTP) and set EMAIL_HOST and its credentials.", id="quanzhou_pm.E002"))
    elif backend == "smtp" and not settings.EMAIL_HOST:
        errors.append(checks.Error("EMAIL_HOST is not set: notices and password-reset emails cannot be sent.",
                                   hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD).",
                                   id="quanzhou_pm.E003"))
    if not settings.PORTAL_BASE_URL.startswith("https://"):
        errors.append(checks.Error("PORTAL_BASE_URL is not an https:// address: links in emails would be sent in clear.",
                                   hint="Set PORTAL_BASE_URL to the portal's public https:// address.",
                                   id="quanzhou_pm.E004"))
    return errors
