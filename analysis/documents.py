"""The bulletin's files: a PDF rendered from HTML by WeasyPrint (with the CJK fonts fontconfig finds)
and an .xlsx with one sheet per section, both from the same content as the review page."""
from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from metrics.dashboard.exports import tables_xlsx

from .bulletin import BulletinContent


def bulletin_html(content: BulletinContent) -> str:
    return render_to_string("analysis/bulletin_pdf.html", {"content": content, "printed_at": timezone.localtime()})


def bulletin_pdf(content: BulletinContent) -> bytes:
    # Imported here: WeasyPrint loads Pango through cffi, which only the worker that renders needs.
    from weasyprint import HTML

    return HTML(string=bulletin_html(content)).write_pdf()


def bulletin_xlsx(content: BulletinContent) -> bytes:
    return tables_xlsx(content.tables, heading=content.heading)
