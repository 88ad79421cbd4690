"""A recompute running while monthly data is approved (issue 8, "nothing lost"), on PostgreSQL.

Each round: S1's March report has been reopened, edited and resubmitted, and the published month
is up to date (submitted data does not count). Then, at once: the district approves it (its
commit marks S1-March stale); a recompute of S1-March runs, either a staff-started street
recompute or the beat's `process_stale` taking an earlier mark; a third connection reads the
published month over and over. In half the rounds the approval starts first; in the other half
the test holds back writes to the sums (tests.concurrency.WriteGate) and the approval commits
once the recompute has read the data and waits there, not yet published: so the approval commits
before the recompute reads as well as while it writes.

What must hold: no reader ever sees a half-written month (every read is the whole old month or
the whole new one, each area from one computation), the approval's stale mark survives the
recompute, and after one `process_stale` the published month and quarter equal a fresh
computation from the data.
"""
import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Sum

from metrics.models import AreaMonthSums, IndicatorValue, StaleStreetMonth
from metrics.selectors import indicator_values_for_run
from metrics.services import (
    mark_street_months_stale,
    process_stale_street_months,
    recompute_month,
    recompute_street_month,
)
from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_reopen,
    monthly_report_submit,
)
from reporting.validation import FIELD_NAMES, RowInput
from tests.concurrency import WriteGate, run_together
from tests.factories import city_staff, district_staff, street_officer

from .conftest import FEBRUARY, MARCH
from .oracle import rows_of, run_from_facts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JANUARY = datetime.date(2024, 1, 1)
ROUNDS = 8
LEVELS = ("community", "street", "district", "city")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def read_month() -> list[tuple]:
    """What a reader of the published month gets, in one statement."""
    return list(IndicatorValue.objects.filter(period=MARCH).values_list(
        "indicator_id", "area_level", "area_code", "numerator", "denominator", "value", "computed_at"))


def figures(rows) -> dict:
    return {(code, level, area): (numerator, denominator, value)
            for code, level, area, numerator, denominator, value, _computed_at in rows}


def computations_per_area(rows) -> dict:
    per_area: dict = {}
    for _code, level, area, *_values, computed_at in rows:
        per_area.setdefault((level, area), set()).add(computed_at)
    return per_area


def sample_until(done: threading.Event, samples: list):
    def run():
        while not done.is_set():
            samples.append(read_month())
            time.sleep(0.002)
        samples.append(read_month())
    return run


def finishing(function, left: list, lock: threading.Lock, done: threading.Event):
    """`function`, setting `done` when it is the last of the racers to finish."""
    def run():
        try:
            return function()
        finally:
            with lock:
                left[0] -= 1
                if not left[0]:
                    done.set()
    return run


def resubmit_with_more_petitions(report: MonthlyReport, *, officer, city_user, extra: int) -> MonthlyReport:
    """Reopen, raise compound A's petitions by `extra` over what it has, resubmit."""
    monthly_report_reopen(report=report, actor=city_user, reason="更正信访件数")
    report = MonthlyReport.objects.get(pk=report.pk)
    rows = []
    for record in MonthlyRecord.objects.filter(report=report).select_related("compound").values(
            "compound__code", *FIELD_NAMES):
        values = {name: record[name] for name in FIELD_NAMES}
        if record["compound__code"] == "A":
            values["petitions"] += extra
        rows.append(RowInput(record["compound__code"], values))
    plan = monthly_records_save(report=report, rows=rows, actor=officer, expected_version=report.version,
                                source="并发测试")
    assert plan.ok and len(plan.changed) == 1
    monthly_report_submit(report=report, actor=officer)
    return MonthlyReport.objects.get(pk=report.pk)


def assert_quarter_is_as_computed_compound_by_compound():
    for level in LEVELS:
        codes = list(IndicatorValue.objects.filter(area_level=level).values_list("area_code", flat=True).distinct())
        run = indicator_values_for_run(area_level=level, area_codes=codes, first=JANUARY, last=MARCH)
        assert run and rows_of(run) == run_from_facts(level, JANUARY, MARCH)


def test_a_recompute_racing_an_approval_never_shows_a_half_month_and_ends_equal_to_a_fresh_computation(
        require_postgres, world):
    s1 = world.areas["S1"]
    officer, reviewer, city_user = street_officer(s1), district_staff(s1.district), city_staff()
    recompute_month(period=FEBRUARY)
    recompute_month(period=MARCH)
    # Building the world marked every street-month since January stale (its commits are real here);
    # February and March are published above and the other months play no part.
    StaleStreetMonth.objects.all().delete()
    outcomes = {"recompute published the approved data": 0, "recompute published the data before the approval": 0}
    racers = {"street recompute": 0, "process_stale": 0}
    timings = {False: 0, True: 0}
    marks = {"approval's mark still waiting": 0, "mark taken by the racing run": 0}

    for round_ in range(ROUNDS):
        report = resubmit_with_more_petitions(MonthlyReport.objects.get(pk=world.reports["mar_s1"].pk),
                                              officer=officer, city_user=city_user, extra=round_ + 1)
        process_stale_street_months(settle_seconds=0)
        before = read_month()
        assert not StaleStreetMonth.objects.exists()

        if round_ % 2:
            # The beat's run takes a mark left by an earlier edit while the approval adds its own.
            mark_street_months_stale(street_ids=[s1.pk], periods=[MARCH])
            racers["process_stale"] += 1

            def recompute():
                return process_stale_street_months(settle_seconds=0)
        else:
            racers["street recompute"] += 1

            def recompute():
                return recompute_street_month(street_id=s1.pk, period=MARCH)

        during = bool(round_ // 2 % 2)
        timings[during] += 1

        # Once the recompute has read the data (written its facts), it waits at its first write of
        # the sums while the approval starts; it goes on when the approval has committed or waits
        # for it (for the marks it holds).
        gate = WriteGate(AreaMonthSums._meta.db_table) if during else None

        def approve(report=report, gate=gate):
            if gate is None:
                return monthly_report_approve(report=report, actor=reviewer)
            approved = threading.Event()
            try:
                gate.wait_until_holding_back()
                gate.open_once_waited_for(approved)
                return monthly_report_approve(report=report, actor=reviewer)
            finally:
                approved.set()
                gate.open()

        done, lock, left, samples = threading.Event(), threading.Lock(), [2], []
        approving, recomputing, _sampling = run_together(
            finishing(approve, left, lock, done), finishing(recompute, left, lock, done), sample_until(done, samples),
            delays=(0.0, 0.0 if during else 0.05, 0.0))
        approving.result()
        recomputing.result()
        assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.APPROVED
        raced = read_month()

        # One run of process_stale takes the approval's mark, unless the racing run already took it
        # together with the earlier one and published the approved data.
        mark_left = StaleStreetMonth.objects.filter(street=s1, period=MARCH).exists()
        assert process_stale_street_months(settle_seconds=0) == int(mark_left)
        assert not StaleStreetMonth.objects.exists()
        published = read_month()
        assert_quarter_is_as_computed_compound_by_compound()
        recompute_month(period=MARCH)
        reference = read_month()
        assert figures(published) == figures(reference)

        # S1's complaints are now its approved petitions and hotline cases, so the edit is published.
        complaints = MonthlyRecord.objects.filter(report=report).aggregate(
            total=Sum(F("petitions") + F("hotline_received")))["total"]
        assert figures(reference)[("complaint_rate", "street", "S1")][0] == Decimal(complaints)
        assert figures(before) != figures(reference)

        assert mark_left or figures(raced) == figures(reference)
        if during:
            # The approval committed after the recompute had read the data: it published the month
            # before the approval, and the approval's mark brought the approved data in.
            assert figures(raced) == figures(before) and mark_left
        if not round_ % 2:
            assert mark_left, "a street recompute does not take marks: the approval's must be waiting"

        # Every read during the race was the whole old month or the whole new one.
        assert figures(raced) in (figures(before), figures(reference))
        assert len(samples) >= 2
        for sample in samples:
            assert len(sample) == len(before)
            assert figures(sample) in (figures(before), figures(reference))
            assert all(len(times) == 1 for times in computations_per_area(sample).values())
        if figures(raced) == figures(reference):
            outcomes["recompute published the approved data"] += 1
            marks["approval's mark still waiting" if mark_left else "mark taken by the racing run"] += 1
        else:
            outcomes["recompute published the data before the approval"] += 1
    print(f"recompute vs approval over {ROUNDS} rounds ({racers}; approval started first {timings[False]}, "
          f"approval started once the recompute had read the data {timings[True]}): {outcomes}; "
          f"when the racing run published the approved data: {marks}")
