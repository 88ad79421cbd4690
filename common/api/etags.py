"""ETag / If-None-Match on GET responses, so a poller whose page has not changed gets 304 and no body."""
import hashlib

from django.utils.cache import get_conditional_response, patch_vary_headers
from rest_framework.response import Response


class ETagMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return response
        # Tokens see different areas: a shared cache must not hand one caller's answer to another,
        # whether a page, a streamed CSV or an error.
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        # Streamed CSV has no body to hash yet; errors are never cached.
        if response.status_code != 200 or not isinstance(response, Response):
            return response
        response.render()
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
        return get_conditional_response(request._request, etag=response["ETag"], response=response)
