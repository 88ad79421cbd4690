"""Browser forms: the reason for a return or reopen, the Excel upload, and the entry grid."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy as _

from .selectors import GridRow
from .validation import FIELDS, FLAG, FieldSpec, RowInput, show_value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("月报 Excel 文件（.xlsx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("只能上传 .xlsx 格式的文件"))
        if upload.size > settings.MONTHLY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过 %(size)s") % {"size": filesizeformat(settings.MONTHLY_UPLOAD_MAX_BYTES)})
        return upload


def cell_name(code: str, spec: FieldSpec) -> str:
    return f"{code}__{spec.name}"


def grid_rows_from_post(grid_rows: list[GridRow], data) -> list[RowInput]:
    """The posted grid as rows for the service: one per compound shown on the page."""
    return [RowInput(row.compound.code, {spec.name: data.get(cell_name(row.compound.code, spec)) for spec in FIELDS})
            for row in grid_rows]


@dataclass
class GridCell:
    name: str
    kind: str
    label: str  # escaped: "<compound> <field>", what a screen reader says
    value: str
    previous: str
    error: str
    flagged: bool

    def html(self, *, editable: bool, previous_title: str) -> str:
        name = conditional_escape(self.name)
        if self.kind == FLAG:
            checked = " checked" if self.value in ("是", "on") else ""
            field = (f'<input type="checkbox" name="{name}" aria-label="{self.label}"{checked}'
                     f'{"" if editable else " disabled"}>')
        else:
            invalid = ' aria-invalid="true"' if self.error else ""
            field = (f'<input type="text" inputmode="decimal" name="{name}" value="{conditional_escape(self.value)}" '
                     f'aria-label="{self.label}"{invalid}{"" if editable else " readonly"}>')
        previous = (f'<small class="previous" title="{previous_title}">{conditional_escape(self.previous)}</small>'
                    if self.previous else "")
        error = f'<div class="cell-error" role="alert">{conditional_escape(self.error)}</div>' if self.error else ""
        classes = ("invalid" if self.error else "") + (" flagged" if self.flagged else "")
        return f'<td class="{classes}">{field}{previous}{error}</td>'


def grid_display(grid_rows: list[GridRow], *, editable: bool, data=None, errors=None) -> list[dict]:
    """Rows for the template: what was typed when a save was refused, else what is stored.

    Each row's cells come as finished HTML (`cells_html`), as the dashboards' tables do: a page has
    760 inputs, and the template language's lookups over them cost most of the page's time.
    """
    errors = errors or {}
    labels = {spec.name: conditional_escape(spec.label) for spec in FIELDS}  # translated once a page
    previous_title = conditional_escape(gettext("上月"))
    display = []
    for row in grid_rows:
        code, record, who = row.compound.code, row.record, conditional_escape(row.compound.name)
        flagged = {flag["field"] for flag in record.flags} if record else set()
        cells = []
        for spec in FIELDS:
            name = cell_name(code, spec)
            if data is not None:
                value = data.get(name) or ""
            else:
                value = show_value(getattr(record, spec.name)) if record else ""
            previous = show_value(getattr(row.previous, spec.name)) if row.previous else ""
            cells.append(GridCell(name, spec.kind, f"{who} {labels[spec.name]}", value, previous,
                                  errors.get((code, spec.name), ""), spec.name in flagged))
        display.append({"compound": row.compound, "error": errors.get((code, None), ""), "cells_html": mark_safe(
            "".join(cell.html(editable=editable, previous_title=previous_title) for cell in cells))})
    return display
