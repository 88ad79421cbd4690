"""`?format=`: one of the formats the schema documents (json, csv), or a JSON 406 that names them.

DRF would ignore an empty `format=` and answer an unknown one with its HTML 404 page; the browsable
API stays what a browser gets by its Accept header, not a documented format.
"""
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer


def documented_formats(renderers) -> list[str]:
    return [renderer.format for renderer in renderers if not isinstance(renderer, BrowsableAPIRenderer)]


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        if format_suffix is None and name in request.query_params:
            formats = documented_formats(renderers)
            values = request.query_params.getlist(name)
            if len(values) != 1 or values[0] not in formats:
                raise exceptions.NotAcceptable(_("不支持的格式“%(format)s”，可选：%(formats)s。") % {
                    "format": "、".join(values), "formats": "、".join(formats)})
        return super().select_renderer(request, renderers, format_suffix)
