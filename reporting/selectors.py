"""Reads of monthly data, each in a bounded number of queries whatever the street's size."""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _, gettext_lazy

from accounts.scope import AreaScope
from common.numbers import is_ascii_integer
from communities.models import Compound
from communities.selectors import compounds_active_on

from .models import ACTIVE_UPLOAD_STATES, MonthlyRecord, MonthlyReport, MonthlyUpload, ReportState, ReportTransition
from .periods import add_months, month_end
from .validation import COUNT, FIELD_BY_NAME, FIELD_NAMES, FIELDS, MONEY, named_only, show_value


def monthly_report_for(*, street, period: datetime.date) -> MonthlyReport | None:
    return (MonthlyReport.objects.filter(street=street, period=period)
            .select_related("street__district", "submitted_by", "approved_by").first())


def street_recent_reports(*, street, limit: int = 12) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(street=street).order_by("-period")[:limit]


def report_transitions(*, report: MonthlyReport) -> QuerySet[ReportTransition]:
    return report.transitions.select_related("actor").order_by("-at", "-pk")


@dataclass
class GridRow:
    compound: Compound
    record: MonthlyRecord | None
    previous: MonthlyRecord | None


# The grid's order is the compounds' codes, sorted as an expression rather than by the indexed column:
# for ORDER BY code LIMIT 40, PostgreSQL walks the city's index of codes until it meets 40 of the
# street's compounds (190 ms at 100,000 compounds for a street whose codes sort late). Sorting the
# expression makes it read the street's compounds through their communities and sort only those
# (1 ms for 350 compounds, about 15 ms for 7,000).
GRID_ORDER = Concat("code", Value(""))


def grid_compounds(*, street, period: datetime.date) -> QuerySet[Compound]:
    """The compounds that report for the month (active at its end), in the grid's order."""
    return compounds_active_on(month_end(period), area=street).order_by(GRID_ORDER)


def monthly_grid_rows(*, street, period: datetime.date) -> list[GridRow]:
    """A row for every compound of the month: the whole street, as the Excel template lists it."""
    return _with_records(list(grid_compounds(street=street, period=period)), street=street, period=period)


def monthly_grid_page(*, street, period: datetime.date, number, per_page: int) -> Page:
    """One page of the grid, its `object_list` the page's rows.

    The database pages the compounds (one COUNT, then LIMIT/OFFSET) and only the page's records
    are read, so a page costs the same in a street of 7,000 compounds as in one of 300.
    `number` is the page asked for, as typed; a wrong one gives the first or last page.
    """
    page = Paginator(grid_compounds(street=street, period=period), per_page).get_page(number)
    page.object_list = _with_records(list(page.object_list), street=street, period=period)
    return page


def _with_records(compounds: list[Compound], *, street, period: datetime.date) -> list[GridRow]:
    """The compounds as grid rows, with their records of the month and of the month before."""
    previous_period = add_months(period, -1)
    records = MonthlyRecord.objects.filter(report__street=street, period__in=[period, previous_period]).order_by()
    by_month: dict[datetime.date, dict[int, MonthlyRecord]] = defaultdict(dict)
    for record in named_only(records, "compound_id", [compound.pk for compound in compounds]):
        by_month[record.period][record.compound_id] = record
    current, previous = by_month[period], by_month[previous_period]
    return [GridRow(compound, current.get(compound.pk), previous.get(compound.pk)) for compound in compounds]


SUMMED_FIELDS = tuple(spec.name for spec in FIELDS if spec.kind in (COUNT, MONEY))


def monthly_totals(*, street, period: datetime.date) -> dict[datetime.date, dict]:
    """The street's figures summed over its compounds, for the month and the month before (one query).

    Each month's entry has every summed field, `records` (compounds with data), `disclosed` (public
    revenue disclosed) and `evaluated` (compounds with a score); a month without data has no entry.
    """
    rows = (MonthlyRecord.objects.filter(report__street=street, period__in=[period, add_months(period, -1)])
            .values("period")
            .annotate(records=Count("pk"), disclosed=Count("pk", filter=Q(public_revenue_disclosed=True)),
                      evaluated=Count("pk", filter=Q(evaluation_score__isnull=False)),
                      **{name: Sum(name) for name in SUMMED_FIELDS})
            .order_by())
    return {row.pop("period"): row for row in rows}


def missing_compounds(*, street, period: datetime.date) -> QuerySet[Compound]:
    """Compounds that should report for the month but have no record yet."""
    reported = MonthlyRecord.objects.filter(compound=OuterRef("pk"), period=period)
    return grid_compounds(street=street, period=period).exclude(Exists(reported))


def flagged_records(*, street, period: datetime.date) -> QuerySet[MonthlyRecord]:
    return (MonthlyRecord.objects.filter(report__street=street, period=period).exclude(flags=[])
            .select_related("compound").order_by("compound__code"))


@dataclass
class UnexplainedFlag:
    compound: Compound
    flag: dict


@dataclass
class Completeness:
    """What a submission would leave out: compounds without data and flagged values without an explanation."""

    expected: int
    missing_count: int
    missing: list[Compound]  # the first MISSING_SHOWN
    unexplained: list[UnexplainedFlag]

    @property
    def reported(self) -> int:
        return self.expected - self.missing_count

    @property
    def complete(self) -> bool:
        return not self.missing_count and not self.unexplained


MISSING_SHOWN = 50


def report_completeness(*, street, period: datetime.date) -> Completeness:
    missing = missing_compounds(street=street, period=period)
    unexplained = [UnexplainedFlag(record.compound, flag) for record in flagged_records(street=street, period=period)
                   for flag in record.flags if not flag.get("explanation")]
    missing_count = missing.count()
    return Completeness(grid_compounds(street=street, period=period).count(), missing_count,
                        list(missing[:MISSING_SHOWN]), unexplained)


def review_queue(*, user, states: tuple[str, ...] = (ReportState.SUBMITTED,)) -> list[MonthlyReport]:
    """Reports in the user's area in `states`, with record, flagged and missing compound counts."""
    reports = list(
        AreaScope.for_user(user).filter(MonthlyReport.objects.filter(state__in=states))
        .select_related("street__district", "submitted_by")
        .annotate(record_count=Count("records"), flagged_count=Count("records", filter=~Q(records__flags=[])))
        .order_by("period", "street__code")
    )
    # Expected compounds depend on each month's end: one grouped count per distinct month.
    streets_by_period: dict[datetime.date, set[int]] = defaultdict(set)
    for report in reports:
        streets_by_period[report.period].add(report.street_id)
    expected: dict[tuple[int, datetime.date], int] = {}
    for period, street_ids in streets_by_period.items():
        counts = (compounds_active_on(month_end(period)).filter(community__street__in=street_ids)
                  .values_list("community__street").annotate(n=Count("pk")))
        expected.update({(street_id, period): n for street_id, n in counts})
    for report in reports:
        report.expected_count = expected.get((report.street_id, report.period), 0)
        report.missing_count = max(report.expected_count - report.record_count, 0)
    return reports


@dataclass
class HistoryEntry:
    at: datetime.datetime
    user: object
    compound: Compound | None
    action: str
    field: str
    old: str
    new: str
    reason: str = ""


_RECORD_ACTIONS = {"+": gettext_lazy("新增"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}
_EMPTY = (None, 0, False)


def _explanations(version) -> dict[str, str]:
    return {flag["field"]: flag.get("explanation", "") for flag in (version.flags or []) if flag.get("explanation")}


def _explanation_changes(version, before, action: str) -> list[HistoryEntry]:
    """The officer's explanations of flagged values that this version added, changed or dropped."""
    old = _explanations(before) if before is not None else {}
    new = {} if version.history_type == "-" else _explanations(version)
    return [HistoryEntry(version.history_date, version.history_user, version.compound, action,
                         _("%(field)s 说明") % {"field": FIELD_BY_NAME[name].label}, old.get(name, ""),
                         new.get(name, ""), version.history_change_reason or "")
            for name in FIELD_NAMES if old.get(name, "") != new.get(name, "")]


def monthly_report_history(*, report: MonthlyReport) -> list[HistoryEntry]:
    """Every change of the report's records (field by field, old → new) and of its state, newest first."""
    entries: list[HistoryEntry] = []
    previous_by_record: dict[int, object] = {}
    history = (MonthlyRecord.history.filter(report_id=report.pk).select_related("history_user", "compound")
               .order_by("history_date", "history_id"))
    for version in history:
        before = previous_by_record.get(version.id)
        action = str(_RECORD_ACTIONS.get(version.history_type, version.history_type))
        for spec in FIELDS:
            if version.history_type == "-":
                old, new, shown = getattr(version, spec.name), None, getattr(version, spec.name)
            else:
                old = getattr(before, spec.name) if before is not None else None
                new = shown = getattr(version, spec.name)
            # A created or deleted record lists only the fields that carried a value.
            if old == new or (version.history_type != "~" and shown in _EMPTY):
                continue
            entries.append(HistoryEntry(version.history_date, version.history_user, version.compound, action,
                                        spec.label, show_value(old), show_value(new),
                                        version.history_change_reason or ""))
        entries.extend(_explanation_changes(version, before, action))
        previous_by_record[version.id] = version
    for transition in report_transitions(report=report):
        entries.append(HistoryEntry(transition.at, transition.actor, None, _("状态变更"), _("状态"),
                                    str(transition.get_from_state_display()), str(transition.get_to_state_display()),
                                    transition.reason))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries



def active_upload(*, report: MonthlyReport) -> MonthlyUpload | None:
    """The confirmed Excel upload still being applied to `report`, if any (at most one)."""
    return report.uploads.filter(status__in=ACTIVE_UPLOAD_STATES).first()


def upload_for_confirmation(*, upload_id, street, period: datetime.date, user) -> MonthlyUpload | None:
    """The user's own upload of this street-month: only its uploader may confirm a preview."""
    if not is_ascii_integer(str(upload_id)):
        return None
    return (MonthlyUpload.objects.filter(pk=upload_id, report__street=street, report__period=period, uploaded_by=user)
            .select_related("report__street").first())
