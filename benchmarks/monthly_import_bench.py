"""Times the monthly Excel import for a street of 5,000 compounds (goal: ≤ 3 s on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qz_reporting .venv/bin/python benchmarks/monthly_import_bench.py

Runs in a throw-away test database (test_<name>, created and dropped here). The street gets six
months of history, so the outlier check does its real work. Timed: reading the filled workbook,
validating every row and writing all records with their history, first as 5,000 new records and
then as 5,000 changed ones.
"""
import datetime
import os
import random
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

COMPOUNDS = 5000
PERIOD = datetime.date(2024, 7, 1)
HISTORY_MONTHS = 6


def build_street():
    from accounts.models import Role, User
    from communities.models import Community, Compound
    from districts.models import City, District, Street
    from reporting.models import MonthlyRecord, MonthlyReport
    from reporting.periods import add_months, due_on

    city = City.objects.create(code="B350500", name="基准市")
    district = District.objects.create(city=city, code="B350502", name="基准区", kind=District.Kind.DISTRICT)
    street = Street.objects.create(district=district, code="B350502001", name="基准街道", kind=Street.Kind.STREET)
    community = Community.objects.create(street=street, code="B350502001001", name="基准社区")
    Compound.objects.bulk_create(
        Compound(code=f"B{n:06d}", name=f"基准小区{n}", community=community, households=300, housing_type="commodity",
                 management_mode="professional", active_from=datetime.date(2020, 1, 1))
        for n in range(COMPOUNDS))
    compounds = list(Compound.objects.filter(community=community))
    rng = random.Random(7)
    for months_back in range(1, HISTORY_MONTHS + 1):
        period = add_months(PERIOD, -months_back)
        report = MonthlyReport.objects.create(street=street, period=period, due_on=due_on(period))
        MonthlyRecord.objects.bulk_create(
            (MonthlyRecord(report=report, compound=c, period=period, weekly_meetings=rng.randint(2, 5),
                           petitions=rng.randint(0, 3), hotline_received=10, hotline_resolved=9, hotline_satisfied=8,
                           fees_due=100000, fees_collected=90000) for c in compounds), batch_size=2000)
    officer = User(username="bench_officer", role=Role.STREET_OFFICER, street=street, district=district)
    officer.set_unusable_password()
    officer.save()
    return street, officer


def filled(template: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    workbook = load_workbook(BytesIO(template))
    sheet = workbook.worksheets[0]
    for (code, name, *_), row in zip(sheet.iter_rows(min_row=2, values_only=True), range(2, COMPOUNDS + 2)):
        received = rng.randint(5, 20)
        values = [rng.randint(2, 5), 1, rng.randint(0, 3), received, received - 1, received - 2, 1,
                  100000, 90000 + seed, 2, 1, 3, 3, 1, 8, 6, 5000, "是", 90]
        for offset, value in enumerate(values):
            sheet.cell(row=row, column=3 + offset, value=value)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed_import(street, officer, content: bytes, label: str) -> float:
    from reporting.excel import read_monthly_workbook
    from reporting.services import monthly_records_save, monthly_report_get_or_create

    started, cpu_started = time.perf_counter(), time.process_time()
    rows = read_monthly_workbook(content, street=street, period=PERIOD)
    parsed = time.perf_counter()
    report = monthly_report_get_or_create(street=street, period=PERIOD)
    plan = monthly_records_save(report=report, rows=rows, actor=officer, expected_version=report.version,
                                source="基准测试")
    finished, cpu = time.perf_counter(), time.process_time() - cpu_started
    assert plan.ok, plan.errors[:5]
    # CPU time of this process shows how much of the wall time a busy machine added.
    print(f"{label}: {len(plan.changed)} compounds changed; read {parsed - started:.2f} s, "
          f"validate + save {finished - parsed:.2f} s, total {finished - started:.2f} s (Python CPU {cpu:.2f} s)")
    return finished - started


def warm_up(street, content: bytes) -> None:
    """Validate a few rows first, as a running server would have: imports and catalogs are loaded once."""
    from reporting.excel import read_monthly_workbook
    from reporting.services import monthly_records_plan

    monthly_records_plan(street=street, period=PERIOD, rows=read_monthly_workbook(content)[:10])


def main() -> None:
    from reporting.excel import monthly_template
    from reporting.models import MonthlyRecord

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        started = time.perf_counter()
        street, officer = build_street()
        print(f"setup: {COMPOUNDS} compounds, {HISTORY_MONTHS} months of history in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        template = monthly_template(street=street, period=PERIOD)
        print(f"template: {len(template) // 1024} KB in {time.perf_counter() - started:.2f} s")
        warm_up(street, filled(template, seed=1))
        first = timed_import(street, officer, filled(template, seed=1), "import (new records)")
        second = timed_import(street, officer, filled(template, seed=2), "import (changed records)")
        records = MonthlyRecord.objects.filter(period=PERIOD).count()
        history = MonthlyRecord.history.filter(period=PERIOD).count()
        print(f"records for the month: {records}; history rows: {history}")
        assert records == COMPOUNDS and history == 2 * COMPOUNDS
        print(f"worst: {max(first, second):.2f} s (goal ≤ 3 s)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
