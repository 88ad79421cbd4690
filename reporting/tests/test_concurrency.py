import threading

import pytest
from django.db import connection

from reporting.models import MonthlyRecord, MonthlyReport
from reporting.services import StaleVersionError, monthly_records_save
from tests.factories import street_officer

from .conftest import row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_saves_of_the_same_version_one_wins(require_postgres, report, officer):
    colleague = street_officer(report.street)
    barrier, outcomes = threading.Barrier(2), []

    def save(actor, petitions):
        try:
            stale = MonthlyReport.objects.get(pk=report.pk)
            barrier.wait()
            monthly_records_save(report=stale, rows=[row("C0001", petitions=petitions)], actor=actor,
                                 expected_version=1, source="并发测试")
            outcomes.append(("saved", petitions))
        except StaleVersionError:
            outcomes.append(("refused", petitions))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=args) for args in ((officer, 1), (colleague, 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    [winner] = [petitions for kind, petitions in outcomes if kind == "saved"]
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == winner
    assert MonthlyRecord.history.count() == 1
    assert MonthlyReport.objects.get(pk=report.pk).version == 2
