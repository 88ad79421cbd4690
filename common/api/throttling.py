"""Rate limits: one bucket per API token (or signed-in user), one per anonymous IP address.

DRF answers over-limit requests with 429 and a Retry-After header; the buckets live in the
default cache, so several server processes need a shared cache (Redis) to share them.
"""
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from accounts.models import ApiToken
from common.security import client_ip


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousIpRateThrottle(AnonRateThrottle):
    scope = "anon"

    def get_ident(self, request):
        # The portal's one reading of the client address: DRF's own falls back to the leftmost
        # X-Forwarded-For entry, which the client writes, when the header is shorter than expected.
        return client_ip(request)
