"""What the reviewer reads on a report's page: every compound's figures beside last month's, the
flags with their reason and the officer's explanation, and the street's totals. A presenter: it
turns the selectors' rows into what the template shows, and decides nothing."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .selectors import GridRow
from .validation import FIELDS, FLAG, SCORE, show_value


def _flag_html(flag: dict) -> str:
    explanation = flag.get("explanation") or ""
    if explanation:
        said = format_html('<div class="flag-explanation">{}{}</div>', _("说明："), explanation)
    else:
        said = format_html('<div class="flag-explanation missing">{}</div>', _("未说明"))
    return format_html('<div class="flag-reason" role="note">{}{}</div>', flag["message"], said)


def figures_rows(grid_rows: list[GridRow]) -> list[dict]:
    """One row a compound: its cells as finished HTML (as the grid builds them), and its flag count."""
    previous_label = conditional_escape(_("上月"))
    rows = []
    for row in grid_rows:
        record = row.record
        flags = {flag["field"]: flag for flag in record.flags} if record else {}
        cells = []
        for spec in FIELDS:
            value = show_value(getattr(record, spec.name)) if record else ""
            previous = show_value(getattr(row.previous, spec.name)) if row.previous else ""
            flag = flags.get(spec.name)
            cells.append(format_html(
                '<td class="num{}"><span class="value">{}</span>{}{}</td>', " flagged" if flag else "", value or "—",
                format_html('<small class="previous">{} {}</small>', previous_label, previous) if previous else "",
                mark_safe(_flag_html(flag)) if flag else ""))
        rows.append({"compound": row.compound, "reported": record is not None, "flag_count": len(flags),
                     "cells_html": mark_safe("".join(cells))})
    return rows


@dataclass
class TotalCell:
    label: str
    value: str
    previous: str


def totals_cells(totals: dict, *, period, previous_period) -> list[TotalCell]:
    """The street's totals per field, this month and last: sums of counts and amounts, how many
    compounds disclosed their public revenue, how many were evaluated."""
    current, before = totals.get(period), totals.get(previous_period)

    def shown(month: dict | None, name: str, kind: str) -> str:
        if month is None:
            return "—"
        if kind == FLAG:
            return _("%(count)s 个已公示") % {"count": month["disclosed"]}
        if kind == SCORE:
            return _("%(count)s 个已考评") % {"count": month["evaluated"]}
        return show_value(month[name])

    return [TotalCell(spec.label, shown(current, spec.name, spec.kind), shown(before, spec.name, spec.kind))
            for spec in FIELDS]
