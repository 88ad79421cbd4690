"""The API documentation pages under the site's Content-Security-Policy.

Swagger UI is served as the split view, whose start-up script is a same-origin file rather than an
inline block, so `script-src 'self'` holds. Both UIs build their styles at run time (ReDoc inserts
<style> elements and starts a worker from a blob), which only these two pages are allowed to do.
"""
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class DocsPolicyMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response


class SwaggerDocsView(DocsPolicyMixin, SpectacularSwaggerSplitView):
    pass


class RedocDocsView(DocsPolicyMixin, SpectacularRedocView):
    pass
