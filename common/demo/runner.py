"""Runs the demo generators in order, in one transaction, and sums up what was created."""
import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import areas, committees, firms, monthly, party, registry, selection, users
from .bulk import Progress
from .calendar import CAMPAIGN_START, add_months, months_between

DEFAULT_SEED = 20240101
DEFAULT_COMPOUNDS = 3000


@dataclass(frozen=True)
class DemoOptions:
    seed: int = DEFAULT_SEED
    compounds: int = DEFAULT_COMPOUNDS
    monthly: bool = True
    months: int | None = None  # the last N complete months; None: every month since the campaign began
    today: datetime.date | None = None


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    credentials: list[users.Credential] = field(default_factory=list)
    elapsed: float = 0.0


def report_months(today: datetime.date, months: int | None) -> list[datetime.date]:
    last_complete = add_months(today.replace(day=1), -1)
    first = CAMPAIGN_START if months is None else add_months(last_complete, 1 - months)
    return months_between(first, last_complete)


def run(options: DemoOptions, write) -> Summary:
    today = options.today or timezone.localdate()
    log = Progress(write)
    summary = Summary()
    counts = summary.counts

    def rng(stage: str) -> random.Random:
        # One stream per stage, so a change in one generator does not reshuffle the others.
        return random.Random(f"{options.seed}:{stage}")

    with transaction.atomic():
        streets = areas.ensure_areas(rng("areas"), log=log)
        counts["街道(乡镇)"] = len(streets)
        counts["社区(村)"] = sum(len(s.communities) for s in streets)
        seeds = registry.generate(rng("compounds"), streets, total=options.compounds, today=today)
        counts["合并小区"] = registry.plan_merges(rng("merges"), seeds)
        counts["管理模式记录"] = registry.save(seeds, log)
        counts["小区"] = len(seeds)
        firm_seeds = firms.create_firms(rng("firms"), seeds, log)
        counts["物业服务企业"] = len(firm_seeds)
        counts["物业服务合同"] = firms.create_contracts(rng("contracts"), seeds, firm_seeds, today=today, log=log)
        counts["业委会"], counts["业委会成员"] = committees.create_committees(rng("committees"), seeds, today=today, log=log)
        counts["党组织"], counts["党组织覆盖关系"] = party.create_party_organisations(
            rng("party"), seeds, streets, firm_seeds, today=today, log=log)
        summary.credentials, by_username = users.create_users(rng("users"))
        counts["新建用户"] = sum(1 for c in summary.credentials if c.password)
        if options.monthly:
            counts["街道月报"], counts["小区月度数据"] = monthly.create_monthly(
                rng("monthly"), seeds, streets, by_username, months=report_months(today, options.months),
                today=today, log=log)
        counts["推选候选街道"] = selection.create_round(by_username, today=today)
    summary.elapsed = log.elapsed
    return summary
