"""Yearly partitions of the per-month tables on PostgreSQL (common/partitions.py): monthly records,
compound-month facts and indicator values."""
import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common import tasks
from common.partitions import (
    PARTITIONED_TABLES,
    default_partition,
    ensure_partitions,
    first_year,
    partition_table,
    unpartition_table,
    year_partition,
)
from metrics.models import CompoundMonthFact, IndicatorValue
from metrics.services import recompute_month
from reporting.models import MonthlyRecord, MonthlyReport
from reporting.services import monthly_records_save, monthly_report_get_or_create

from .conftest import row

MAY_2024, MAY_2025 = datetime.date(2024, 5, 1), datetime.date(2025, 5, 1)
FAR_FUTURE = datetime.date(2099, 3, 1)


pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("require_postgres")]


@pytest.fixture
def save_month(street, compounds, officer):
    """Saves a month's records through the monthly save path (COPY on PostgreSQL); returns the report."""
    def save(period: datetime.date, petitions: int = 2) -> MonthlyReport:
        report = monthly_report_get_or_create(street=street, period=period)
        plan = monthly_records_save(report=report, rows=[row("C0001", petitions=petitions), row("C0002")],
                                    actor=officer, expected_version=report.version, source="测试")
        assert plan.ok
        return report
    return save


def indicator_value(period: datetime.date) -> IndicatorValue:
    return IndicatorValue.objects.create(indicator_id="committee_formation_rate", area_level="city", area_code="350500",
                                         period=period, numerator=Decimal(1), denominator=Decimal(2),
                                         value=Decimal(50), computed_at=timezone.now())


def partition_of(model, **lookup) -> str:
    """The partition a row is stored in."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {model._meta.db_table} WHERE id = %s",
                       [model.objects.get(**lookup).pk])
        return cursor.fetchone()[0]


def partitions_read(queryset) -> set[str]:
    table = queryset.model._meta.db_table
    return set(re.findall(rf"\b{table}_(?:y\d{{4}}|default)\b", queryset.explain()))


@pytest.mark.parametrize("table", PARTITIONED_TABLES)
def test_per_month_tables_are_partitioned_by_period_into_years_and_a_default(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT p.partstrat, a.attname FROM pg_partitioned_table p JOIN pg_attribute a "
                       "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] WHERE p.partrelid = %s::regclass",
                       [table])
        assert cursor.fetchone() == ("r", "period")
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [table])
        partitions = {name for (name,) in cursor.fetchall()}
    years = range(first_year(), timezone.localdate().year + 2)
    assert partitions == {default_partition(table), *(year_partition(table, year) for year in years)}


@pytest.mark.parametrize("table", PARTITIONED_TABLES)
def test_the_database_primary_key_holds_the_period_and_django_keeps_id(table):
    with connection.cursor() as cursor:
        primary_key = connection.introspection.get_primary_key_columns(cursor, table)
    assert primary_key == ["id", "period"]


@pytest.mark.parametrize("period", [MAY_2024, MAY_2025])
def test_imported_monthly_records_land_in_their_year_partition(save_month, period):
    save_month(period)
    assert partition_of(MonthlyRecord, compound__code="C0001", period=period) == f"reporting_monthlyrecord_y{period.year}"


def test_updates_through_the_import_path_stay_in_the_partition(save_month):
    save_month(MAY_2025)
    save_month(MAY_2025, petitions=5)
    assert MonthlyRecord.objects.get(compound__code="C0001", period=MAY_2025).petitions == 5
    assert partition_of(MonthlyRecord, compound__code="C0001", period=MAY_2025) == "reporting_monthlyrecord_y2025"


def test_recompute_writes_facts_and_values_into_the_month_partition(save_month):
    save_month(MAY_2024)
    assert recompute_month(period=MAY_2024, include_submitted=True) > 0
    assert partitions_read(CompoundMonthFact.objects.filter(period=MAY_2024)) == {"metrics_compoundmonthfact_y2024"}
    assert CompoundMonthFact.objects.filter(period=MAY_2024).count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableoid::regclass::text FROM metrics_indicatorvalue WHERE period = %s", [MAY_2024])
        assert cursor.fetchall() == [("metrics_indicatorvalue_y2024",)]


def test_a_duplicate_compound_month_is_still_refused(save_month):
    report = save_month(MAY_2024)
    record = MonthlyRecord.objects.get(compound__code="C0001", period=MAY_2024)
    with pytest.raises(IntegrityError, match=r"Key \(compound_id, period\)"), transaction.atomic():
        MonthlyRecord.objects.create(report=report, compound=record.compound, period=MAY_2024)


@pytest.mark.parametrize("model", [MonthlyRecord, CompoundMonthFact, IndicatorValue])
def test_a_query_for_one_month_reads_one_partition(model):
    assert partitions_read(model.objects.filter(period=MAY_2025)) == {f"{model._meta.db_table}_y2025"}


def test_a_row_of_a_year_without_partition_waits_in_default_and_moves_to_its_new_partition(street, compounds):
    # Reports of future months are refused by the service; rows of such a year can still arrive otherwise.
    report = MonthlyReport.objects.create(street=street, period=FAR_FUTURE, due_on=FAR_FUTURE)
    record = MonthlyRecord.objects.create(report=report, compound=compounds[0], period=FAR_FUTURE, petitions=7)
    value = indicator_value(FAR_FUTURE)
    assert partition_of(MonthlyRecord, pk=record.pk) == "reporting_monthlyrecord_default"

    changes = {change.table: change for change in ensure_partitions()}

    assert changes["reporting_monthlyrecord"].created_years == (2099,)
    assert changes["reporting_monthlyrecord"].moved_rows == 1
    assert changes["metrics_indicatorvalue"].moved_rows == 1
    assert changes["metrics_compoundmonthfact"].created_years == ()
    assert partition_of(MonthlyRecord, pk=record.pk) == "reporting_monthlyrecord_y2099"
    assert partition_of(IndicatorValue, pk=value.pk) == "metrics_indicatorvalue_y2099"
    assert MonthlyRecord.objects.get(pk=record.pk).petitions == 7
    assert MonthlyRecord.objects.filter(period=FAR_FUTURE).count() == 1
    with pytest.raises(IntegrityError, match=r"Key \(compound_id, period\)"), transaction.atomic():
        MonthlyRecord.objects.create(report=report, compound=record.compound, period=FAR_FUTURE)


def test_ensure_partitions_does_nothing_when_every_partition_exists():
    assert all(change.created_years == () and change.moved_rows == 0 for change in ensure_partitions())


def test_the_command_creates_partitions_years_ahead(capsys):
    call_command("ensure_partitions", "--years", "3")
    this_year = timezone.localdate().year
    assert f"reporting_monthlyrecord：新建 {this_year + 2}、{this_year + 3} 年分区" in capsys.readouterr().out
    assert partitions_read(MonthlyRecord.objects.filter(period=datetime.date(this_year + 3, 1, 1))) == {
        f"reporting_monthlyrecord_y{this_year + 3}"}


def test_migrating_back_and_forth_keeps_rows_ids_and_the_sequence():
    values = [indicator_value(MAY_2024), indicator_value(FAR_FUTURE)]
    table = IndicatorValue._meta.db_table

    unpartition_table(connection, table)
    with connection.cursor() as cursor:
        assert connection.introspection.get_primary_key_columns(cursor, table) == ["id"]
    assert sorted(IndicatorValue.objects.values_list("pk", flat=True)) == [value.pk for value in values]
    partition_table(connection, table)

    assert partition_of(IndicatorValue, pk=values[1].pk) == "metrics_indicatorvalue_y2099"
    assert sorted(IndicatorValue.objects.values_list("pk", flat=True)) == [value.pk for value in values]
    assert indicator_value(MAY_2025).pk > values[1].pk


def test_the_beat_task_returns_how_many_partitions_it_created():
    assert tasks.ensure_partitions() == 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {year_partition('metrics_indicatorvalue', timezone.localdate().year + 1)}")
    assert tasks.ensure_partitions() == 1


def test_a_year_archived_by_detaching_its_partition_is_not_created_again():
    indicator_value(MAY_2025)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE metrics_indicatorvalue DETACH PARTITION metrics_indicatorvalue_y2024")
        cursor.execute("ALTER TABLE metrics_indicatorvalue_y2024 RENAME TO archived_indicatorvalue_2024")
    changes = {change.table: change for change in ensure_partitions()}
    assert changes["metrics_indicatorvalue"].created_years == ()
