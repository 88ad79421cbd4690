"""A real Celery worker applies a big Excel upload on the PostgreSQL test database, and is killed mid-way;
beat has the import run again within a minute.

The worker fixtures (broker_url, start_worker, send, wait_for) are in the root conftest. The test
commits its data (transaction=True) so the worker, another process, can read it.
"""
import datetime
import os
import signal
import time
from collections import Counter
from io import BytesIO

import psycopg
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from communities.models import Compound
from reporting import tasks
from reporting.excel import monthly_template
from reporting.models import ACTIVE_UPLOAD_STATES, MonthlyRecord, MonthlyReport, MonthlyUpload, UploadStatus
from reporting.services import (
    monthly_records_save,
    monthly_report_get_or_create,
    monthly_upload_preview,
    monthly_upload_queue,
    monthly_uploads_release_stuck,
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


@pytest.fixture
def lock_of(require_postgres):
    """lock_of(model, pk) holds a row lock from another session, as a live import holds its rows,
    until the returned connection is closed."""
    connections = []

    def hold(model, pk) -> psycopg.Connection:
        db = connection.settings_dict
        held = psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
        held.execute(f"SELECT 1 FROM {model._meta.db_table} WHERE id = %s FOR UPDATE", [pk])
        connections.append(held)
        return held

    yield hold
    for held in connections:
        held.close()


def test_a_worker_killed_mid_import_leaves_nothing_and_beat_has_the_import_run_again_within_a_minute(
        big_upload, start_worker, send, wait_for, tmp_path, monkeypatch, lock_of):
    report = big_upload.report
    before, version = records(report), report.version
    history_before = MonthlyRecord.history.count()
    # Confirm as the page does; the task goes to the test broker on an explicit connection.
    monkeypatch.setattr(tasks.apply_monthly_upload, "delay",
                        lambda upload_id: send(tasks.apply_monthly_upload, upload_id))

    # One of the records the import updates is locked elsewhere: the first worker writes the new
    # records, then waits on that row inside the import's transaction, and is killed there. The
    # broker would re-deliver its message only after the visibility timeout (an hour).
    held = lock_of(MonthlyRecord, MonthlyRecord.objects.filter(report=report).order_by("pk").last().pk)
    first = start_worker(MEDIA_ROOT=str(tmp_path))
    assert monthly_upload_queue(upload=big_upload, actor=big_upload.uploaded_by).status == UploadStatus.QUEUED
    wait_for(lambda: MonthlyUpload.objects.get(pk=big_upload.pk).status == UploadStatus.APPLYING, 60,
             "the first worker to take the upload")
    wait_for(writing_records, 120, "the first worker to write the new records")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    held.close()

    assert records(report) == before, "no record changed"
    assert MonthlyRecord.history.count() == history_before
    assert MonthlyReport.objects.get(pk=report.pk).version == version
    assert MonthlyUpload.objects.get(pk=big_upload.pk).status == UploadStatus.APPLYING, "not done"

    # A new worker with beat: the release rule finds the import no transaction holds and queues it again.
    started = time.monotonic()
    start_worker(MEDIA_ROOT=str(tmp_path), MONTHLY_UPLOAD_STUCK_AFTER_SECONDS="5", MONTHLY_UPLOAD_STUCK_CHECK_SECONDS="2",
                 beat=True)
    wait_for(lambda: MonthlyUpload.objects.get(pk=big_upload.pk).status not in ACTIVE_UPLOAD_STATES, 120,
             "the import to be run again")
    assert time.monotonic() - started < 120
    upload = MonthlyUpload.objects.get(pk=big_upload.pk)
    assert upload.status == UploadStatus.DONE, upload.message
    assert upload.attempts == 2
    assert (upload.records_created, upload.records_updated) == (COMPOUNDS - ALREADY_SAVED, ALREADY_SAVED)
    assert records(report) == {f"K{n:06d}": petitions(n) for n in range(COMPOUNDS)}
    imported = Counter(MonthlyRecord.history.filter(history_change_reason="Excel导入").values_list("id", flat=True))
    assert len(imported) == COMPOUNDS and set(imported.values()) == {1}, "one history entry per changed record"
    assert MonthlyRecord.history.count() == history_before + COMPOUNDS
    assert MonthlyReport.objects.get(pk=report.pk).version == version + 1
    wait_for(lambda: not default_storage.exists(upload.path), 10, "the kept file to be deleted")


def test_an_import_a_live_transaction_holds_is_never_released(big_upload, settings, lock_of):
    settings.MONTHLY_UPLOAD_STUCK_AFTER_SECONDS = 60
    MonthlyUpload.objects.filter(pk=big_upload.pk).update(
        status=UploadStatus.APPLYING, attempts=1, started_at=timezone.now() - datetime.timedelta(hours=1))
    held = lock_of(MonthlyUpload, big_upload.pk)  # a slow import, still running
    assert monthly_uploads_release_stuck() == 0
    assert MonthlyUpload.objects.get(pk=big_upload.pk).status == UploadStatus.APPLYING
    held.close()
    assert monthly_uploads_release_stuck() == 1
