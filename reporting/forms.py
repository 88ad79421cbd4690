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
from .validation import EXPLANATION_MAX_LENGTH, FIELD_BY_NAME, FIELDS, FLAG, PART_OF_WHOLE, FieldSpec, RowInput, show_value


def grid_messages() -> dict[str, str]:
    """The messages of the check the grid runs as the officer types (static/js/grid.js); the server's
    rules (reporting.validation) stay the authority, with the same words."""
    return {"count": gettext("须为不小于0的整数"), "money": gettext("须为不小于0的金额，最多两位小数"),
            "score": gettext("须为0到100之间的分数，最多两位小数"), "whole": gettext("不能大于%(whole)s")}


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


def explanation_name(code: str, spec: FieldSpec) -> str:
    return f"{code}__{spec.name}__why"


def grid_rows_from_post(grid_rows: list[GridRow], data) -> list[RowInput]:
    """The posted grid as rows for the service: one per compound shown on the page, with the
    explanations typed under its flagged cells."""
    rows = []
    for row in grid_rows:
        code = row.compound.code
        rows.append(RowInput(code, {spec.name: data.get(cell_name(code, spec)) for spec in FIELDS},
                             explanations={spec.name: data[explanation_name(code, spec)] for spec in FIELDS
                                           if explanation_name(code, spec) in data}))
    return rows


# The whole each part may not exceed (validation.PART_OF_WHOLE), for the check as the officer types.
WHOLE_OF = dict(PART_OF_WHOLE)


@dataclass
class GridCell:
    code: str
    spec: FieldSpec
    label: str  # escaped: "<compound> <field>", what a screen reader says
    value: str
    previous: str
    error: str
    flag: dict | None
    explanation: str

    def html(self, *, editable: bool, texts: dict[str, str]) -> str:
        name = conditional_escape(cell_name(self.code, self.spec))
        data = f'data-kind="{self.spec.kind}" data-previous="{conditional_escape(self.previous)}"'
        if self.spec.name in WHOLE_OF:
            whole = FIELD_BY_NAME[WHOLE_OF[self.spec.name]]
            data += (f' data-whole="{conditional_escape(cell_name(self.code, whole))}"'
                     f' data-whole-label="{conditional_escape(whole.label)}"')
        if self.spec.kind == FLAG:
            checked = " checked" if self.value in ("是", "on") else ""
            field = (f'<input type="checkbox" name="{name}" aria-label="{self.label}" {data}{checked}'
                     f'{"" if editable else " disabled"}>')
        else:
            invalid = ' aria-invalid="true"' if self.error else ""
            field = (f'<input type="text" inputmode="decimal" name="{name}" value="{conditional_escape(self.value)}" '
                     f'aria-label="{self.label}" {data}{invalid}{"" if editable else " readonly"}>')
        previous = (f'<small class="previous" title="{texts["previous"]}">{conditional_escape(self.previous)}</small>'
                    if self.previous else "")
        error = f'<div class="cell-error" role="alert">{conditional_escape(self.error)}</div>' if self.error else ""
        flag = ""
        if self.flag:
            why = conditional_escape(explanation_name(self.code, self.spec))
            if editable:
                said = (f'<input type="text" class="explanation" name="{why}" maxlength="{EXPLANATION_MAX_LENGTH}" '
                        f'value="{conditional_escape(self.explanation)}" placeholder="{texts["explain"]}" '
                        f'aria-label="{self.label} {texts["explanation"]}">')
            else:
                said = f'<div class="flag-explanation">{conditional_escape(self.explanation or texts["unexplained"])}</div>'
            flag = f'<div class="flag-reason" role="note">{conditional_escape(self.flag["message"])}</div>{said}'
        classes = ("invalid" if self.error else "") + (" flagged" if self.flag else "")
        return f'<td class="{classes}">{field}{previous}{error}{flag}</td>'


def grid_display(grid_rows: list[GridRow], *, editable: bool, data=None, errors=None) -> list[dict]:
    """Rows for the template: what was typed when a save was refused, else what is stored.

    Each row's cells come as finished HTML (`cells_html`), as the dashboards' tables do: a page has
    760 inputs, and the template language's lookups over them cost most of the page's time.
    """
    errors = errors or {}
    labels = {spec.name: conditional_escape(spec.label) for spec in FIELDS}  # translated once a page
    texts = {"previous": conditional_escape(gettext("上月")), "explain": conditional_escape(gettext("请说明原因")),
             "explanation": conditional_escape(gettext("说明")), "unexplained": conditional_escape(gettext("未说明"))}
    display = []
    for row in grid_rows:
        code, record, who = row.compound.code, row.record, conditional_escape(row.compound.name)
        flags = {flag["field"]: flag for flag in record.flags} if record else {}
        cells = []
        for spec in FIELDS:
            name, flag = cell_name(code, spec), flags.get(spec.name)
            if data is not None:
                value = data.get(name) or ""
                explanation = data.get(explanation_name(code, spec)) or ""
            else:
                value = show_value(getattr(record, spec.name)) if record else ""
                explanation = flag.get("explanation", "") if flag else ""
            previous = show_value(getattr(row.previous, spec.name)) if row.previous else ""
            cells.append(GridCell(code, spec, f"{who} {labels[spec.name]}", value, previous,
                                  errors.get((code, spec.name), ""), flag, explanation))
        display.append({"compound": row.compound, "error": errors.get((code, None), ""), "cells_html": mark_safe(
            "".join(cell.html(editable=editable, texts=texts) for cell in cells))})
    return display
