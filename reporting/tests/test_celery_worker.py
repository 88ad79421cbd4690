"""A real Celery worker applies a big Excel upload on the PostgreSQL test database, and is killed mid-way.

The worker fixtures (broker_url, start_worker, send, wait_for) are in the root conftest. The test
commits its data (transaction=True) so the worker, another process, can read it.
"""
import datetime
import os
import signal
from collections import Counter
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from openpyxl import load_workbook

from communities.models import Compound
from reporting import tasks
from reporting.excel import monthly_template
from reporting.models import MonthlyRecord, MonthlyReport, MonthlyUpload, UploadStatus
from reporting.services import (
    monthly_records_save,
    monthly_report_get_or_create,
    monthly_upload_preview,
    monthly_upload_queue,
)
from reporting.validation import RowInput
from tests.factories import CommunityFactory, street_officer

from .conftest import PERIOD

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

COMPOUNDS = 3000
ALREADY_SAVED = 1000  # these get updated; the rest are created


def petitions(n: int) -> int:
    return n % 7 + 1


@pytest.fixture
def big_upload(street, settings, tmp_path):
    """A street of 3,000 compounds, 1,000 of them already reported, and a previewed file for all."""
    settings.MEDIA_ROOT = tmp_path
    community = CommunityFactory(street=street)
    Compound.objects.bulk_create(
        Compound(code=f"K{n:06d}", name=f"大街小区{n}", community=community, households=300,
                 housing_type="commodity", management_mode="professional", active_from=datetime.date(2020, 1, 1))
        for n in range(COMPOUNDS))
    officer = street_officer(street)
    report = monthly_report_get_or_create(street=street, period=PERIOD)
    saved = [RowInput(f"K{n:06d}", {"petitions": 0}, n + 2) for n in range(ALREADY_SAVED)]
    monthly_records_save(report=report, rows=saved, actor=officer, expected_version=report.version, source="网格填报")
    report.refresh_from_db()

    workbook = load_workbook(BytesIO(monthly_template(street=street, period=PERIOD)))
    sheet = workbook.worksheets[0]
    for line in range(2, COMPOUNDS + 2):
        sheet.cell(row=line, column=5, value=petitions(int(sheet.cell(row=line, column=1).value[1:])))  # 信访件数
    buffer = BytesIO()
    workbook.save(buffer)
    plan, upload = monthly_upload_preview(report=report, actor=officer, content=buffer.getvalue(), file_name="大街.xlsx")
    assert plan.ok and len(plan.changed) == COMPOUNDS
    return upload


def records(report) -> dict:
    return dict(MonthlyRecord.objects.filter(report=report).values_list("compound__code", "petitions"))


def writing_records() -> bool:
    """Another session holds a write lock on the records' history: the import has written rows, uncommitted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                       "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted "
                       "AND l.pid <> pg_backend_pid()", [MonthlyRecord.history.model._meta.db_table])
        return cursor.fetchone()[0] > 0


def test_killed_worker_publishes_nothing_and_the_upload_completes_on_a_new_worker(
        big_upload, start_worker, send, wait_for, tmp_path, monkeypatch):
    report = big_upload.report
    before, version = records(report), report.version
    history_before = MonthlyRecord.history.count()
    # Confirm as the page does; the task goes to the test broker on an explicit connection.
    monkeypatch.setattr(tasks.apply_monthly_upload, "delay",
                        lambda upload_id: send(tasks.apply_monthly_upload, upload_id))

    # The first worker pauses inside the import's transaction once half the rows are written; an
    # unacknowledged message comes back after the (short) visibility timeout.
    first = start_worker(REPORTING_IMPORT_PAUSE_SECONDS="60", CELERY_VISIBILITY_TIMEOUT="5", MEDIA_ROOT=str(tmp_path))
    assert monthly_upload_queue(upload=big_upload, actor=big_upload.uploaded_by).status == UploadStatus.QUEUED
    wait_for(lambda: MonthlyUpload.objects.get(pk=big_upload.pk).status == UploadStatus.APPLYING, 60,
             "the first worker to take the upload")
    wait_for(writing_records, 120, "the first worker to write half the rows")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()

    assert records(report) == before, "no record changed"
    assert MonthlyRecord.history.count() == history_before
    assert MonthlyReport.objects.get(pk=report.pk).version == version
    assert MonthlyUpload.objects.get(pk=big_upload.pk).status == UploadStatus.APPLYING, "not done"

    start_worker(CELERY_VISIBILITY_TIMEOUT="5", MEDIA_ROOT=str(tmp_path))
    wait_for(lambda: MonthlyUpload.objects.get(pk=big_upload.pk).status != UploadStatus.APPLYING, 180,
             "the re-delivered import")
    upload = MonthlyUpload.objects.get(pk=big_upload.pk)
    assert upload.status == UploadStatus.DONE, upload.message
    assert (upload.records_created, upload.records_updated) == (COMPOUNDS - ALREADY_SAVED, ALREADY_SAVED)
    assert records(report) == {f"K{n:06d}": petitions(n) for n in range(COMPOUNDS)}
    imported = Counter(MonthlyRecord.history.filter(history_change_reason="Excel导入").values_list("id", flat=True))
    assert len(imported) == COMPOUNDS and set(imported.values()) == {1}, "one history entry per changed record"
    assert MonthlyRecord.history.count() == history_before + COMPOUNDS
    assert MonthlyReport.objects.get(pk=report.pk).version == version + 1
    wait_for(lambda: not default_storage.exists(upload.path), 10, "the kept file to be deleted")
