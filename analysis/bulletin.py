"""The monthly bulletin (月度通报) the bureau sends to the districts, as data: every section is a
dashboard table (metrics.dashboard.tables.Table), so the review page, the .xlsx and the PDF show the
same figures. Every figure comes from the engine's published values through the dashboards' reads;
late reports and red/black-list changes are read from the reporting and registry tables.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import FirmListing
from districts.models import AreaLevel
from metrics.dashboard import selectors as dashboard
from metrics.dashboard.periods import MONTH, PeriodChoice, span
from metrics.dashboard.tables import (
    NO_VALUE,
    Cell,
    Column,
    Table,
    attainment_text,
    change,
    count_cell,
    format_value,
    value_cell,
)
from metrics.models import COUNT_NUMBER_FORMAT, Direction, Indicator
from metrics.periods import month_end
from reporting.models import MonthlyReport, ReportState
from reporting.periods import due_on, month_label

# The bulletin ranks areas by the campaign's headline figure, as the dashboards' rankings start with.
RANKED_BY = dashboard.DEFAULT_INDICATOR
SUBMITTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED, ReportState.LOCKED)


@dataclass
class BulletinContent:
    period: datetime.date
    city_name: str
    summary: list[str]
    tables: list[Table] = field(default_factory=list)
    ranked_by: Indicator | None = None

    @property
    def title(self) -> str:
        return _("%(city)s物业管理“四升一降”工作月度通报（%(month)s）") % {
            "city": self.city_name, "month": month_label(self.period)}

    @property
    def heading(self) -> list[str]:
        """The lines above each sheet of the .xlsx: title, area, period."""
        return [self.title, _("区域：%(city)s") % {"city": self.city_name},
                _("统计期：%(month)s") % {"month": month_label(self.period)}]


def month_choice(period: datetime.date) -> PeriodChoice:
    return span(MONTH, period, period)


def _core(indicators) -> list[Indicator]:
    return [indicator for indicator in indicators if indicator.is_core]


def _summary(values: dict, core: list[Indicator]) -> list[str]:
    """One sentence per core indicator: its value, its change on last month and its attainment."""
    sentences = []
    for indicator in core:
        compared = values.get(indicator.code)
        if compared is None or compared.value is None:
            continue
        moved = change(compared.delta_vs_previous, indicator.unit, indicator.direction)
        points = _("个百分点") if indicator.unit == "percent" else ""
        movement = _("较上月%(change)s%(points)s") % {"change": moved.text, "points": points} if moved.arrow \
            else _("与上月持平") if moved.text != NO_VALUE else ""
        if moved.verdict:
            movement += f"（{moved.verdict}）"
        target = ""
        if compared.target is not None:
            target = _("，目标 %(target)s，%(attainment)s") % {
                "target": dashboard.target_text(compared.target, indicator.unit),
                "attainment": attainment_text(compared.target, compared.attainment)}
        unit = "" if indicator.unit == "percent" else indicator.get_unit_display()
        sentences.append(_("%(name)s %(value)s%(unit)s%(sep)s%(movement)s%(target)s。") % {
            "name": indicator.name, "value": format_value(compared.value, indicator.unit), "unit": unit,
            "sep": "，" if movement else "", "movement": movement, "target": target})
    return sentences


def city_table(values: dict) -> Table:
    table = Table("city", _("一、全市核心指标"), [
        Column(_("指标")), Column(_("本月"), numeric=True), Column(_("分子"), numeric=True),
        Column(_("分母"), numeric=True), Column(_("较上月")), Column(_("较基期")), Column(_("目标")),
        Column(_("达标情况"))])
    for compared in values.values():
        indicator = compared.indicator
        table.rows.append([
            Cell(indicator.name, heading=True), value_cell(compared),
            count_cell(compared.numerator),
            count_cell(compared.denominator),
            Cell(str(change(compared.delta_vs_previous, indicator.unit, indicator.direction)),
                 compared.delta_vs_previous),
            Cell(str(change(compared.delta_vs_baseline, indicator.unit, indicator.direction)),
                 compared.delta_vs_baseline),
            Cell(dashboard.target_text(compared.target, indicator.unit)),
            Cell(attainment_text(compared.target, compared.attainment), attainment=compared.attainment)])
    return table


def ranking(key: str, title: str, areas: list, values: dict, core: list[Indicator], ranked_by: Indicator,
            *, parent_label: str | None = None) -> Table:
    """Areas by the headline indicator, best first by its direction (rank 1 the best), with every core
    indicator beside it; areas without a value come last, unranked."""
    level_label = AreaLevel(areas[0].level).label if areas else ""
    columns = [Column(_("名次"), numeric=True), Column(level_label)]
    if parent_label:
        columns.append(Column(parent_label))
    columns += [Column(indicator.name, numeric=True, number_format=indicator.number_format)
                for indicator in core]
    columns.append(Column(_("%(indicator)s较上月") % {"indicator": ranked_by.name}))
    table = Table(key, title, columns)

    def headline(area):
        compared = values.get(area.code, {}).get(ranked_by.code)
        return None if compared is None else compared.value

    with_value = sorted((area for area in areas if headline(area) is not None), key=lambda area: (
        -headline(area) if ranked_by.direction == Direction.UP else headline(area), area.code))
    without_value = [area for area in areas if headline(area) is None]
    for rank, area in enumerate(with_value + without_value, start=1):
        area_values = values.get(area.code, {})
        row = [Cell(str(rank), rank) if headline(area) is not None else Cell(NO_VALUE), Cell(area.name, heading=True)]
        if parent_label:
            row.append(Cell(area.parent.name))
        for indicator in core:
            compared = area_values.get(indicator.code)
            row.append(value_cell(compared) if compared else Cell(NO_VALUE))
        compared = area_values.get(ranked_by.code)
        delta = compared.delta_vs_previous if compared else None
        row.append(Cell(str(change(delta, ranked_by.unit, ranked_by.direction)), delta))
        table.rows.append(row)
    return table


def late_reports_table(period: datetime.date, streets: list) -> Table:
    """Streets whose report of the month was submitted after its due day (Beijing date, the engine's
    rule for report_timeliness), or has not been submitted at all."""
    reports = {report.street_id: report for report in MonthlyReport.objects.filter(
        period=period, street__in=[street.pk for street in streets]).only("street_id", "state", "due_on",
                                                                            "submitted_at")}
    table = Table("late", _("五、逾期上报与未上报的月报"), [
        Column(_("区县")), Column(_("街道(乡镇)")), Column(_("截止日期")), Column(_("上报日期")),
        Column(_("逾期天数"), numeric=True, number_format=COUNT_NUMBER_FORMAT), Column(_("状态"))],
        caption=_("逾期天数算至上报日期，未上报的算至今天；已退回修改、尚未重新上报的月报计为未上报。"))
    today = timezone.localdate()
    for street in streets:
        report = reports.get(street.pk)
        due = report.due_on if report else due_on(period)
        if report is not None and report.state in SUBMITTED_STATES and report.submitted_at is not None:
            day = timezone.localtime(report.submitted_at).date()
            if day <= due:
                continue
            late_days, when, state = (day - due).days, f"{day:%Y-%m-%d}", _("逾期上报")
        else:
            late_days, when, state = (today - due).days, NO_VALUE, _("未上报")
        table.rows.append([Cell(street.parent.name), Cell(street.name, heading=True), Cell(f"{due:%Y-%m-%d}"),
                           Cell(when), Cell(str(late_days), late_days), Cell(state)])
    return table


def listing_changes_table(period: datetime.date) -> Table:
    """Firms put on or taken off the red or black list during the month, by day."""
    first, last = period, month_end(period)
    listings = (FirmListing.objects.filter(Q(listed_on__range=(first, last)) | Q(delisted_on__range=(first, last)))
                .select_related("firm__registered_district"))
    table = Table("listings", _("六、红黑榜变动"), [
        Column(_("榜单")), Column(_("企业")), Column(_("注册区县")), Column(_("变动")), Column(_("日期")),
        Column(_("事由"))])
    moves = sorted(((day, listing.firm.credit_code, movement, listing) for listing in listings
                    for day, movement in ((listing.listed_on, _("上榜")), (listing.delisted_on, _("移出")))
                    if day is not None and first <= day <= last), key=lambda move: move[:2])
    for day, _code, movement, listing in moves:
        table.rows.append([Cell(listing.get_kind_display()), Cell(listing.firm.name, heading=True),
                           Cell(listing.firm.registered_district.name), Cell(movement), Cell(f"{day:%Y-%m-%d}"),
                           Cell(listing.reason)])
    return table


def bulletin_content(city, period: datetime.date) -> BulletinContent:
    """The bulletin of `city` for a month whose reports are due (the caller checks)."""
    choice = month_choice(period)
    own = dashboard.compared_values(AreaLevel.CITY, [city.code], choice).get(city.code, {})
    indicators = [compared.indicator for compared in own.values()] or list(Indicator.objects.all())
    core = _core(indicators)
    ranked_by = next((indicator for indicator in core if indicator.code == RANKED_BY), core[0] if core else None)
    content = BulletinContent(period=period, city_name=city.name, summary=_summary(own, core), ranked_by=ranked_by)
    content.tables.append(city_table({code: compared for code, compared in own.items()
                                      if compared.indicator.is_core}))
    districts = dashboard.child_areas(city)
    streets = dashboard.ranking_areas(city, districts)
    core_codes = [indicator.code for indicator in core]
    if ranked_by is not None:
        district_values = dashboard.compared_values(AreaLevel.DISTRICT, [d.code for d in districts], choice, core_codes)
        street_values = dashboard.compared_values(AreaLevel.STREET, [s.code for s in streets], choice, core_codes)
        title = _("二、区县排名（按%(indicator)s）") % {"indicator": ranked_by.name}
        content.tables.append(ranking("districts", title, districts, district_values, core, ranked_by))
        title = _("三、街道(乡镇)排名（按%(indicator)s）") % {"indicator": ranked_by.name}
        content.tables.append(ranking("streets", title, streets, street_values, core, ranked_by,
                                      parent_label=AreaLevel(AreaLevel.DISTRICT).label))
    laggards = dashboard.laggards_page(AreaLevel.STREET, None, choice)
    for table in laggards.tables:
        table.title = _("四、滞后街道(乡镇)：%(indicator)s") % {"indicator": table.title}
        table.pager = None
    content.tables += [table for table in laggards.tables if table.rows]
    content.tables.append(late_reports_table(period, streets))
    content.tables.append(listing_changes_table(period))
    return content
