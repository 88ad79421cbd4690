"""Browser forms: the reason for a return or reopen, the Excel upload, and the entry grid."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

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
    spec: FieldSpec
    value: str
    previous: str
    error: str
    flagged: bool

    @property
    def is_flag(self) -> bool:
        return self.spec.kind == FLAG

    @property
    def checked(self) -> bool:
        return self.value in ("是", "on")


def grid_display(grid_rows: list[GridRow], *, data=None, errors=None) -> list[dict]:
    """Rows of cells for the template: what was typed when a save was refused, else what is stored."""
    errors = errors or {}
    display = []
    for row in grid_rows:
        code, record = row.compound.code, row.record
        flagged = {flag["field"] for flag in record.flags} if record else set()
        cells = []
        for spec in FIELDS:
            name = cell_name(code, spec)
            if data is not None:
                value = data.get(name) or ""
            else:
                value = show_value(getattr(record, spec.name)) if record else ""
            previous = show_value(getattr(row.previous, spec.name)) if row.previous else ""
            cells.append(GridCell(name, spec, value, previous, errors.get((code, spec.name), ""), spec.name in flagged))
        display.append({"compound": row.compound, "cells": cells, "error": errors.get((code, None), "")})
    return display
