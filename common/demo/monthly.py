"""Monthly reports per street and monthly records per active compound, with improving figures.

Every figure obeys the model's rules (resolved ≤ received, collected ≤ due, ...). The campaign's
effect shows as trends: more meetings, fewer complaints, better resolution and collection.
"""
import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.utils import timezone

from communities.models import HousingType, ManagementMode
from reporting.models import MonthlyRecord, MonthlyReport, ReportState

from .areas import StreetSeed
from .bulk import BATCH_SIZE, insert, insert_count
from .calendar import CAMPAIGN_START, add_months, month_end, ramp
from .registry import CompoundSeed

DUE_DAY = 10
QUARTER_END_MONTHS = (3, 6, 9, 12)
FEE_MODES = (ManagementMode.PROFESSIONAL, ManagementMode.STATE_TRUSTEESHIP)
_CAMPAIGN_MATURE = datetime.date(2025, 6, 1)
_LATEST = datetime.date(2026, 10, 1)


@dataclass(frozen=True, slots=True)
class _MonthTrend:
    """How far the campaign has moved the figures by one month (computed once per month)."""

    complaints: float
    meetings: float
    resolved: float
    satisfied: float
    completed: float
    rectified: float
    collected: float
    certified: float
    disclosed: float
    score_bonus: float
    late: float

    @classmethod
    def of(cls, month: datetime.date) -> "_MonthTrend":
        def trend(start: float, mature: float, latest: float) -> float:
            return ramp(month, [(CAMPAIGN_START, start), (_CAMPAIGN_MATURE, mature), (_LATEST, latest)])

        return cls(complaints=trend(1.0, 0.75, 0.6), meetings=trend(0.35, 0.9, 0.97), resolved=trend(0.86, 0.94, 0.97),
                   satisfied=trend(0.78, 0.88, 0.93), completed=trend(0.7, 0.88, 0.95), rectified=trend(0.75, 0.9, 0.96),
                   collected=trend(0.78, 0.86, 0.9), certified=trend(0.6, 0.82, 0.92), disclosed=trend(0.5, 0.85, 0.93),
                   score_bonus=trend(0, 3, 5), late=trend(0.12, 0.05, 0.02))


@dataclass(slots=True)
class _Profile:
    """What stays the same from month to month for one compound."""

    seed: CompoundSeed
    fee_per_household: int  # 分 per month
    guards: int
    revenue_base: int  # 分 per month
    quality: float


def _profile(rng: random.Random, seed: CompoundSeed) -> _Profile:
    commodity = seed.housing_type == HousingType.COMMODITY
    fee = rng.randint(8000, 26000) if commodity else rng.randint(1500, 6000)
    return _Profile(
        seed=seed,
        fee_per_household=fee,
        guards=max(1, round(seed.households / rng.uniform(40, 90))),
        revenue_base=seed.households * rng.randint(300, 2000) if commodity else 0,
        quality=rng.uniform(72, 92),
    )


def _count(rng: random.Random, mean: float) -> int:
    """A small non-negative count with the given mean."""
    return int(2 * mean * rng.random() + 0.5)


def _some_of(rng: random.Random, total: int, share: float) -> int:
    return sum(1 for _ in range(total) if rng.random() < share)


def _record(rng: random.Random, profile: _Profile, month: datetime.date, trend: _MonthTrend,
            report_id: int) -> MonthlyRecord:
    seed = profile.seed
    mode = seed.mode_on(month_end(month))
    per_thousand = seed.households / 1000
    complaints = trend.complaints * (1.6 if mode == ManagementMode.UNMANAGED else 1.0)
    held = rng.random() < trend.meetings
    received = _count(rng, 2.2 * per_thousand * complaints)
    resolved = _some_of(rng, received, trend.resolved)
    planned = _count(rng, 0.6 + 0.5 * per_thousand)
    found = _count(rng, 0.8 + per_thousand)
    record = MonthlyRecord(
        report_id=report_id, compound_id=seed.pk, period=month,
        weekly_meetings=rng.randint(0, 4) if held else 0,
        monthly_meetings=1 if held else 0,
        petitions=_count(rng, 0.25 * per_thousand * complaints),
        hotline_received=received,
        hotline_resolved=resolved,
        hotline_satisfied=_some_of(rng, resolved, trend.satisfied),
        disputes_mediated=_count(rng, 0.3 * per_thousand),
        micro_matters_planned=planned,
        micro_matters_completed=_some_of(rng, planned, trend.completed),
        hazards_found=found,
        hazards_rectified=_some_of(rng, found, trend.rectified),
        enforcement_actions=1 if rng.random() < 0.08 else 0,
    )
    if mode in FEE_MODES:
        due = seed.households * profile.fee_per_household
        collected = min(1.0, trend.collected + rng.uniform(-0.06, 0.06))
        record.fees_due = Decimal(due) / 100
        record.fees_collected = Decimal(int(due * collected)) / 100
        record.guards_employed = profile.guards
        record.guards_certified = min(profile.guards, round(profile.guards * trend.certified))
        if profile.revenue_base:
            record.public_revenue = Decimal(int(profile.revenue_base * rng.uniform(0.8, 1.2))) / 100
            record.public_revenue_disclosed = rng.random() < trend.disclosed
        if month.month in QUARTER_END_MONTHS:
            score = profile.quality + trend.score_bonus + rng.gauss(0, 3)
            record.evaluation_score = Decimal(round(min(100.0, max(0.0, score)) * 2)) / 2
    return record


def _at(day: datetime.date, rng: random.Random, today: datetime.date) -> datetime.datetime:
    day = min(day, today)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59)))


def _reports(rng, streets: list[StreetSeed], month, users: dict, *, today, draft: bool) -> list[MonthlyReport]:
    due = add_months(month, 1).replace(day=DUE_DAY)
    reports = []
    for street_seed in streets:
        street = street_seed.street
        report = MonthlyReport(street=street, period=month, due_on=due)
        if not draft:
            late = rng.random() < _MonthTrend.of(month).late
            submitted = due + datetime.timedelta(days=rng.randint(1, 10) if late else -rng.randint(0, 9))
            report.state = ReportState.APPROVED
            report.is_late = late
            report.submitted_at = _at(submitted, rng, today)
            report.submitted_by = users.get(f"street_{street.code.lower()}")
            report.approved_at = _at(submitted + datetime.timedelta(days=rng.randint(1, 4)), rng, today)
            report.approved_by = users.get(f"district_{street.parent.code.lower()}")
        reports.append(report)
    return reports


def create_monthly(rng: random.Random, seeds: list[CompoundSeed], streets: list[StreetSeed], users: dict,
                   *, months: list[datetime.date], today: datetime.date, log) -> tuple[int, int]:
    """Approved reports with records for `months`, and an empty draft report for the current month."""
    profiles = [_profile(rng, seed) for seed in seeds]
    report_count = record_count = 0
    for month in months:
        reports = {r.street_id: r.pk for r in insert(MonthlyReport, _reports(rng, streets, month, users, today=today, draft=False))}
        report_count += len(reports)
        last_day = month_end(month)
        trend = _MonthTrend.of(month)
        active = (p for p in profiles if p.seed.is_active_on(last_day))
        while chunk := list(islice(active, BATCH_SIZE)):
            record_count += insert_count(MonthlyRecord, (
                _record(rng, p, month, trend, reports[p.seed.street.pk]) for p in chunk
            ))
        log(f"月报 {month:%Y-%m}：累计 {record_count} 条小区月度数据")
    current = today.replace(day=1)
    report_count += sum(1 for _ in insert(MonthlyReport, _reports(rng, streets, current, users, today=today, draft=True)))
    return report_count, record_count
