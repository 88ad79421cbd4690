"""The pivot table (数据透视) as a page shows it: a validated selection of indicators, areas and periods,
each laid on rows, columns or filters, turned into a dashboard table (metrics.dashboard.tables) and a
chart of the same cells. Every figure is a stored one (analysis.selectors.pivot_values); this module
only lays them out, sorts the rows and writes their text.
"""
from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy

from districts.models import AreaLevel
from metrics.dashboard.periods import MONTH, QUARTER, RUN, YEAR, PeriodChoice
from metrics.dashboard.tables import NO_VALUE, Cell, Column, Table, count_cell, format_count, format_value
from metrics.models import Indicator, Unit

from .selectors import PivotKey, PivotValue

INDICATOR, AREA, PERIOD = "indicator", "area", "period"
# The order dimensions nest in, on rows and on columns alike.
DIMENSIONS = (AREA, INDICATOR, PERIOD)
ROWS, COLUMNS, FILTER = "rows", "columns", "filter"
AXES = (ROWS, COLUMNS, FILTER)

# What one request may ask the database and the page for: cells (indicators × areas × periods), and
# quarters, years or runs (each is one run read per area level).
MAX_CELLS = 10_000
MAX_RUN_READS = 24
# Lines or bar groups a chart draws: the first rows in the table's order.
CHART_SERIES = 20

DIMENSION_LABELS = {INDICATOR: gettext_lazy("指标"), AREA: gettext_lazy("区域"), PERIOD: gettext_lazy("期间")}
KIND_LABELS = {MONTH: gettext_lazy("逐月"), QUARTER: gettext_lazy("逐季度"), YEAR: gettext_lazy("逐年"),
               RUN: gettext_lazy("起止月份合计")}


@dataclass(frozen=True)
class Member:
    """One item of a dimension: an indicator, an area or a period."""

    key: str | tuple[str, str]
    label: str
    indicator: Indicator | None = None


@dataclass
class PivotSelection:
    indicators: list[Indicator]
    area: object  # the area the selection starts from
    level: str  # the level of the areas under it
    kind: str  # month, quarter, year or run
    first: datetime.date
    last: datetime.date
    areas: list  # the area (when the level is below it) and the areas of the level under it, in the viewer's scope
    periods: list[PeriodChoice]
    axes: dict[str, str]  # dimension → rows, columns or filter
    chart: str = "line"
    sort: int | None = None  # the value column the rows are sorted by
    descending: bool = True

    def params(self) -> dict:
        """The selection as link parameters and as a saved view keeps it."""
        params = {"indicator": [indicator.code for indicator in self.indicators], "area": self.area.code,
                  "level": self.level, "kind": self.kind, "period_from": f"{self.first:%Y-%m}",
                  "period_to": f"{self.last:%Y-%m}", "chart": self.chart,
                  **{f"{dimension}_axis": self.axes[dimension] for dimension in DIMENSIONS}}
        if self.sort is not None:
            params |= {"sort": str(self.sort), "order": "desc" if self.descending else "asc"}
        return params

    def on(self, axis: str) -> list[str]:
        return [dimension for dimension in DIMENSIONS if self.axes[dimension] == axis]

    def members(self, dimension: str) -> list[Member]:
        if dimension == INDICATOR:
            return [Member(indicator.code, indicator_label(indicator), indicator) for indicator in self.indicators]
        if dimension == AREA:
            total = len(self.areas) > 1 and self.areas[0] is self.area and self.level != self.area.level
            return [Member((area.level, area.code), _("%(area)s（合计）") % {"area": area.name}
                           if total and area is self.area else area.name) for area in self.areas]
        return [Member(period.param, period.label) for period in self.periods]

    @property
    def title(self) -> str:
        names = "、".join(indicator.name for indicator in self.indicators[:3])
        more = _("等 %(count)d 项指标") % {"count": len(self.indicators)} if len(self.indicators) > 3 else ""
        return _("数据透视：%(indicators)s") % {"indicators": names + more}

    @property
    def area_text(self) -> str:
        if self.level == self.area.level:
            return self.area.name
        return _("%(area)s及其下各%(level)s") % {"area": self.area.name, "level": AreaLevel(self.level).label}

    @property
    def period_text(self) -> str:
        first, last = f"{self.first:%Y-%m}", f"{self.last:%Y-%m}"
        return _("%(first)s 至 %(last)s，%(kind)s") % {"first": first, "last": last, "kind": str(KIND_LABELS[self.kind])}


def indicator_label(indicator: Indicator) -> str:
    return f"{indicator.name}（{Unit(indicator.unit).label}）"


def value_hint(found: PivotValue, template: str) -> str:
    """"分子 12 / 分母 40": `template` translated once a table, not once a cell."""
    return template % {"numerator": format_count(found.numerator), "denominator": format_count(found.denominator)}


def _hint_template() -> str:
    return _("分子 %(numerator)s / 分母 %(denominator)s")


@dataclass
class Pivot:
    selection: PivotSelection
    table: Table
    chart: dict
    values: dict[PivotKey, PivotValue]
    filters: list[tuple[str, str]] = field(default_factory=list)

    def detail(self) -> Table:
        """Every cell on its own row with its numerator and denominator, for the .xlsx."""
        return _detail(self.selection, self.values)

    @property
    def heading(self) -> list[str]:
        lines = [self.selection.title, _("区域：%(area)s") % {"area": self.selection.area_text},
                 _("统计期：%(period)s") % {"period": self.selection.period_text}]
        lines += [_("筛选：%(dimension)s = %(member)s") % {"dimension": name, "member": member}
                  for name, member in self.filters]
        return lines


def build_pivot(selection: PivotSelection, values: dict[PivotKey, PivotValue], *, page_params: dict,
                page_url: str) -> Pivot:
    """Lay the stored values out as the selection asks: rows sorted by the chosen column (values
    missing last), each value's numerator and denominator on hover, and the chart of the same cells."""
    row_dimensions, column_dimensions = selection.on(ROWS), selection.on(COLUMNS)
    fixed = {dimension: selection.members(dimension)[0] for dimension in selection.on(FILTER)}
    rows = list(itertools.product(*(selection.members(d) for d in row_dimensions)))
    columns = list(itertools.product(*(selection.members(d) for d in column_dimensions)))

    def member_of(dimension: str):
        """Where a cell's item of `dimension` is: fixed by a filter, or in its row's or column's items."""
        if dimension in fixed:
            return lambda row, column: fixed[dimension]
        if dimension in row_dimensions:
            place = row_dimensions.index(dimension)
            return lambda row, column: row[place]
        place = column_dimensions.index(dimension)
        return lambda row, column: column[place]

    indicator_of, area_of, period_of = (member_of(dimension) for dimension in (INDICATOR, AREA, PERIOD))

    def found(row, column) -> tuple[Indicator, PivotValue | None]:
        indicator = indicator_of(row, column)
        return indicator.indicator, values.get((indicator.key, *area_of(row, column).key, period_of(row, column).key))

    grid = [[found(row, column) for column in columns] for row in rows]
    order = list(range(len(rows)))
    sort = selection.sort if selection.sort is not None and selection.sort < len(columns) else None
    if sort is not None:
        with_value = [i for i in order if grid[i][sort][1] is not None and grid[i][sort][1].value is not None]
        with_value.sort(key=lambda i: grid[i][sort][1].value, reverse=selection.descending)
        order = with_value + [i for i in order if i not in set(with_value)]

    table_columns = [Column(str(DIMENSION_LABELS[d])) for d in row_dimensions] or [Column("")]
    for index, column in enumerate(columns):
        sorted_now = None if sort != index else ("desc" if selection.descending else "asc")
        # A click sorts by the column from the largest value, a second click from the smallest.
        next_order = "asc" if sorted_now == "desc" else "desc"
        table_columns.append(Column(_members_label(column), numeric=True, sorted=sorted_now,
                                    sort_url=f"{page_url}?{urlencode({**page_params, 'sort': index, 'order': next_order}, doseq=True)}"))
    table = Table("pivot", selection.title, table_columns)
    hint = _hint_template()
    for i in order:
        heading = [Cell(member.label, heading=True) for member in rows[i]] or [Cell(_("数值"), heading=True)]
        table.rows.append(heading + [_value_cell(indicator, value, hint) for indicator, value in grid[i]])

    chart = _chart(selection, rows, columns, grid, order, row_dimensions, column_dimensions)
    filters = [(str(DIMENSION_LABELS[d]), member.label) for d, member in fixed.items()]
    return Pivot(selection, table, chart, values, filters)


def _members_label(members) -> str:
    return " · ".join(member.label for member in members) or _("数值")


def _value_cell(indicator: Indicator, found: PivotValue | None, hint: str) -> Cell:
    if found is None or found.value is None:
        return Cell(NO_VALUE, hint=None if found is None else value_hint(found, hint))
    return Cell(format_value(found.value, indicator.unit), found.value, provisional=found.provisional,
                number_format=indicator.number_format, hint=value_hint(found, hint))


def _chart(selection: PivotSelection, rows, columns, grid, order, row_dimensions, column_dimensions) -> dict:
    """The chart's categories (x axis) are the side holding the periods, so a line runs through time;
    each series is an item of the other side, the first CHART_SERIES in the table's order."""
    transposed = PERIOD in row_dimensions and PERIOD not in column_dimensions
    label = _members_label
    if transposed:
        categories = [label(rows[i]) for i in order]
        series = [(label(column), [grid[i][j] for i in order]) for j, column in enumerate(columns)]
    else:
        categories = [label(column) for column in columns]
        series = [(label(rows[i]), grid[i]) for i in order]
    shown = series[:CHART_SERIES]

    def point(indicator, found):
        value = None if found is None or found.value is None else float(found.value)
        return value, format_value(None if value is None else found.value, indicator.unit)

    return {
        "kind": selection.chart, "categories": categories,
        "series": [{"name": name, "data": [point(*cell)[0] for cell in cells],
                    "labels": [point(*cell)[1] for cell in cells]} for name, cells in shown],
        "note": _("图中显示表中前 %(shown)d 项（共 %(total)d 项）。") % {"shown": len(shown), "total": len(series)}
        if len(series) > len(shown) else "",
    }


def _detail(selection: PivotSelection, values: dict[PivotKey, PivotValue]) -> Table:
    table = Table("detail", _("明细（含分子、分母）"), [
        Column(_("区域")), Column(_("区域代码")), Column(_("期间")), Column(_("指标")), Column(_("单位")),
        Column(_("指标值"), numeric=True), Column(_("分子"), numeric=True), Column(_("分母"), numeric=True),
        Column(_("含未审核数据"))])
    hint, yes, no = _hint_template(), _("是"), _("否")
    units = {indicator.code: str(Unit(indicator.unit).label) for indicator in selection.indicators}
    period_labels = {period.param: period.label for period in selection.periods}
    for area in selection.areas:
        for period in selection.periods:
            for indicator in selection.indicators:
                found = values.get((indicator.code, area.level, area.code, period.param))
                table.rows.append([
                    Cell(area.name), Cell(area.code), Cell(period_labels[period.param]), Cell(indicator.name),
                    Cell(units[indicator.code]),
                    _value_cell(indicator, found, hint),
                    count_cell(found.numerator) if found else Cell(NO_VALUE),
                    count_cell(found.denominator) if found else Cell(NO_VALUE),
                    Cell(yes if found and found.provisional else no),
                ])
    return table
