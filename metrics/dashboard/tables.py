"""Every table a dashboard shows, as data: the page renders it, the exports write it.

A cell keeps the text shown on the page and the raw value written to a spreadsheet, so the
download has the same figures as the page, as numbers.

The body rows are rendered to HTML here, one string a row, as Django's admin renders its change
list (`items_for_result`): a ranking of every street or a community of several hundred compounds
has thousands of cells, and the template language's lookups in a loop over cells cost most of such
a page's time. The template keeps the table's frame and loops over finished rows.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _, gettext_lazy

from metrics.models import AMOUNT_NUMBER_FORMAT, COUNT_NUMBER_FORMAT, Direction, Unit
from metrics.selectors import Attainment

# Symbol + word beside the colour, so attainment never rests on colour alone. ▲ and ▼ are kept for
# a change's direction (up, down), so "near" has a symbol of its own.
ATTAINMENT_DISPLAY = {
    Attainment.MET: ("✔", gettext_lazy("达标")),
    Attainment.NEAR: ("≈", gettext_lazy("接近")),
    Attainment.MISSED: ("✘", gettext_lazy("未达标")),
}

NO_VALUE = "—"


@dataclass
class Column:
    label: str
    numeric: bool = False
    # An indicator column links its name to the definitions page.
    indicator_code: str | None = None
    sort_url: str | None = None
    sorted: str | None = None  # "asc" / "desc" on the column the table is sorted by
    # Excel's number format for the column's values in a download ("0.0", "#,##0"); None: as written.
    number_format: str | None = None


@dataclass
class Cell:
    text: str
    value: object = None  # what the spreadsheet gets; the text when None
    # Excel's number format of the value in a download; the column's when None.
    number_format: str | None = None
    url: str | None = None
    attainment: str | None = None
    provisional: bool = False
    heading: bool = False
    # Shown on hover (a title attribute: no script or style, so the Content-Security-Policy holds).
    hint: str | None = None

    @property
    def export_value(self):
        if self.value is None:
            return "" if self.text == NO_VALUE else self.text
        # Stored figures have four decimal places: a count goes to the spreadsheet as the integer it is.
        if isinstance(self.value, Decimal) and self.value == self.value.to_integral_value():
            return int(self.value)
        return self.value

    @property
    def attainment_symbol(self) -> str:
        return ATTAINMENT_DISPLAY[self.attainment][0] if self.attainment else ""

    @property
    def attainment_label(self) -> str:
        return str(ATTAINMENT_DISPLAY[self.attainment][1]) if self.attainment else ""

    @property
    def needs_symbol(self) -> bool:
        """A value cell gets the symbol beside its number; an attainment cell already starts with it."""
        return bool(self.attainment) and not self.text.startswith(self.attainment_symbol)


@dataclass
class Pager:
    """Where a table long enough to be shown a page at a time is, with links to its neighbours."""

    number: int
    pages: int
    previous_url: str | None
    next_url: str | None


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    export_urls: dict[str, str] = field(default_factory=dict)
    pager: Pager | None = None

    @property
    def html_rows(self) -> list[SafeString]:
        """Each body row as one `<tr>` of escaped HTML, for the template."""
        mark = f'<abbr class="provisional" title="{_escape(_("暂定：含未审核数据"))}">*</abbr>'
        # Words translated once a table, not once a cell.
        attainments = {key: (symbol, _escape(label)) for key, (symbol, label) in ATTAINMENT_DISPLAY.items()}
        classes = ["num" if column.numeric else "" for column in self.columns]
        return [mark_safe("<tr>" + "".join(_cell_html(cell, css, mark, attainments) for cell, css in zip(row, classes))
                          + "</tr>")
                for row in self.rows]


def _escape(text) -> str:
    """conditional_escape without its lazy-string wrapper, which costs more than the escaping here."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def _cell_html(cell: Cell, css: str, provisional_mark: str, attainments: dict[str, tuple[str, str]]) -> str:
    text = _escape(cell.text)
    if cell.url:
        text = f'<a href="{_escape(cell.url)}">{text}</a>'
    if cell.attainment:
        symbol, label = attainments[cell.attainment]
        if not cell.text.startswith(symbol):  # Cell.needs_symbol
            text += f' <span class="symbol" aria-label="{label}">{symbol}</span>'
    if cell.provisional:
        text += provisional_mark
    if cell.heading:
        return f'<th scope="row">{text}</th>'
    if cell.attainment:
        return f'<td class="{css} attain attain-{cell.attainment}" title="{label}">{text}</td>'
    if cell.hint:
        return f'<td class="{css}" title="{_escape(cell.hint)}">{text}</td>'
    return f'<td class="{css}">{text}</td>'


def format_value(value: Decimal | None, unit: str) -> str:
    """The value as pages write it: the unit's decimals (Unit.decimals), a percentage with its sign."""
    if value is None:
        return NO_VALUE
    text = f"{value:.{Unit(unit).decimals}f}"
    return f"{text}%" if unit == Unit.PERCENT else text


def delta_cell(delta: Decimal | None, unit: str) -> Cell:
    """A change in the unit's points: signed, with the unit's decimals (no % sign: points, not a rate)."""
    places = "0." + "0" * Unit(unit).decimals
    return Cell(format_delta(delta, unit), delta, number_format=f"+{places};-{places};{places}")


def format_delta(delta: Decimal | None, unit: str) -> str:
    if delta is None:
        return NO_VALUE
    places = Unit(unit).decimals
    rounded = round(delta, places)
    if not rounded:
        return f"{0:.{places}f}"
    return f"{'+' if rounded > 0 else '−'}{abs(rounded):.{places}f}"


@dataclass(frozen=True)
class Change:
    """A change between two values as a page says it: the arrow and word give its direction (up or
    down), the verdict whether that is better or worse by the indicator's direction."""

    arrow: str  # "▲", "▼" or "" when unchanged or unknown
    text: str  # "上升 1.07", "下降 0.5", "持平" or "—"
    verdict: str  # "向好", "变差" or ""
    trend: str  # "better", "worse" or "" (the CSS class)

    def __str__(self) -> str:
        return " ".join(part for part in (self.arrow, self.text, self.verdict) if part)


def change(delta: Decimal | None, unit: str, direction: str) -> Change:
    if delta is None:
        return Change("", NO_VALUE, "", "")
    places = Unit(unit).decimals
    rounded = round(delta, places)
    if not rounded:
        return Change("", _("持平"), "", "")
    better = (rounded > 0) == (direction == Direction.UP)
    return Change("▲" if rounded > 0 else "▼",
                  f"{_('上升') if rounded > 0 else _('下降')} {abs(rounded):.{places}f}",
                  _("向好") if better else _("变差"), "better" if better else "worse")


def format_count(number) -> str:
    if number is None:
        return NO_VALUE
    number = Decimal(number)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


def count_number_format(number) -> str:
    """Excel's format for a count as format_count writes it: an integer, or an amount with its cents."""
    return COUNT_NUMBER_FORMAT if number is None or Decimal(number) == Decimal(number).to_integral_value() \
        else AMOUNT_NUMBER_FORMAT


def count_cell(number) -> Cell:
    """A numerator, a denominator or another count: its text, the raw number and its Excel format."""
    return Cell(format_count(number), number, number_format=count_number_format(number))


def attainment_text(target, attainment: str | None) -> str:
    """"无目标" without a target, "—" without a value, else symbol and word."""
    if target is None:
        return _("无目标")
    if attainment is None:
        return NO_VALUE
    symbol, label = ATTAINMENT_DISPLAY[attainment]
    return f"{symbol} {label}"


def value_cell(compared, *, url: str | None = None) -> Cell:
    """A value cell of an engine row (ComparedValue): text, raw value, attainment and provisional mark."""
    unit = compared.indicator.unit
    return Cell(format_value(compared.value, unit), compared.value, url=url, attainment=compared.attainment,
                provisional=compared.provisional, number_format=Unit(unit).number_format)


def yes_no(flag) -> Cell:
    return Cell(_("是") if flag else _("否"), 1 if flag else 0)
