"""Excel uploads through the services: preview, confirmation (queue), the apply a worker runs, clean-up.

With no broker (as here) a confirmed upload is sent to Celery's eager mode once the confirmation
commits; tests capture that moment with django_capture_on_commit_callbacks.
"""
import datetime

import pytest
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from quanzhou_pm.settings.celery import CELERY_BEAT_SCHEDULE
from reporting import services, tasks
from reporting.models import MonthlyRecord, MonthlyReport, MonthlyUpload, ReportState, UploadStatus
from reporting.services import (
    UploadInProgressError,
    monthly_records_save,
    monthly_report_submit,
    monthly_upload_apply,
    monthly_upload_preview,
    monthly_upload_queue,
    monthly_uploads_clean_up,
    monthly_uploads_release_stuck,
)
from tests.factories import street_officer

from .conftest import filled_template, row

pytestmark = pytest.mark.django_db

# C0001: 5 petitions; C0002: evaluated 88.
CELLS = {"E2": 5, "U3": 88}


@pytest.fixture
def previewed(report, officer, media):
    plan, upload = monthly_upload_preview(report=report, actor=officer, content=filled_template(report.street, CELLS),
                                          file_name="五月.xlsx")
    assert plan.ok and upload is not None
    return upload


@pytest.fixture
def queued(previewed, officer, django_capture_on_commit_callbacks):
    """Confirmed; the task is held back, as if it waited in the broker for a worker."""
    with django_capture_on_commit_callbacks():
        upload = monthly_upload_queue(upload=previewed, actor=officer)
    assert upload.status == UploadStatus.QUEUED
    return upload


def saved(report):
    return dict(MonthlyRecord.objects.filter(report=report).values_list("compound__code", "petitions"))


def apply(upload, capture):
    """Run the worker's task and what it leaves for after its commit (the file's deletion)."""
    with capture(execute=True):
        return monthly_upload_apply(upload_id=upload.pk)


def test_preview_keeps_the_file_and_saves_nothing(previewed, report):
    assert previewed.status == UploadStatus.PREVIEW and previewed.expected_version == report.version
    assert default_storage.exists(previewed.path) and previewed.path.startswith("reporting/uploads/")
    assert not MonthlyRecord.objects.exists()


def test_a_new_preview_replaces_the_officers_previous_one(previewed, report, officer,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _plan, second = monthly_upload_preview(report=report, actor=officer,
                                               content=filled_template(report.street, {"E2": 7}))
    assert list(MonthlyUpload.objects.all()) == [second]
    assert not default_storage.exists(previewed.path)


def test_an_invalid_or_unchanged_file_is_not_kept(report, officer, media):
    invalid, upload = monthly_upload_preview(report=report, actor=officer,
                                             content=filled_template(report.street, {"E2": -1}))
    assert not invalid.ok and upload is None
    unchanged, upload = monthly_upload_preview(report=report, actor=officer, content=filled_template(report.street, {}))
    assert unchanged.ok and not unchanged.changed and upload is None
    assert not MonthlyUpload.objects.exists() and not (media / "reporting" / "uploads").exists()


def test_confirmed_upload_is_applied_whole_and_marked_done_in_the_same_transaction(
        queued, report, django_capture_on_commit_callbacks):
    version = report.version
    upload = apply(queued, django_capture_on_commit_callbacks)
    assert upload.status == UploadStatus.DONE and upload.finished_at is not None
    assert (upload.records_created, upload.records_updated, upload.records_deleted) == (2, 0, 0)
    assert saved(report) == {"C0001": 5, "C0002": 0}
    assert MonthlyRecord.objects.get(compound__code="C0002").evaluation_score == 88
    assert MonthlyReport.objects.get(pk=report.pk).version == version + 1
    assert set(MonthlyRecord.history.values_list("history_change_reason", "history_user_id")) == {
        ("Excel导入", upload.uploaded_by_id)}
    assert not default_storage.exists(upload.path), "the kept file goes once the import commits"


def test_applying_again_does_nothing(queued, report, django_capture_on_commit_callbacks):
    apply(queued, django_capture_on_commit_callbacks)
    version, history = MonthlyReport.objects.get(pk=report.pk).version, MonthlyRecord.history.count()
    again = apply(queued, django_capture_on_commit_callbacks)  # the broker re-delivers the message
    assert again.status == UploadStatus.DONE
    assert MonthlyReport.objects.get(pk=report.pk).version == version
    assert MonthlyRecord.history.count() == history == 2


def test_an_import_interrupted_half_way_leaves_nothing_and_completes_when_run_again(
        queued, report, monkeypatch, django_capture_on_commit_callbacks):
    version = report.version

    def die(*args, **kwargs):
        raise ConnectionError("the worker's connection dropped half-way")

    monkeypatch.setattr(services.bulk, "create_with_history", die)
    with pytest.raises(ConnectionError):
        monthly_upload_apply(upload_id=queued.pk)
    assert not MonthlyRecord.objects.exists() and not MonthlyRecord.history.exists()
    assert MonthlyReport.objects.get(pk=report.pk).version == version
    assert MonthlyUpload.objects.get().status == UploadStatus.APPLYING

    monkeypatch.undo()
    assert apply(queued, django_capture_on_commit_callbacks).status == UploadStatus.DONE
    assert saved(report) == {"C0001": 5, "C0002": 0} and MonthlyRecord.history.count() == 2
    assert MonthlyReport.objects.get(pk=report.pk).version == version + 1


def test_a_version_change_before_the_worker_runs_fails_the_upload_and_saves_nothing(
        queued, report, django_capture_on_commit_callbacks):
    MonthlyReport.objects.filter(pk=report.pk).update(version=F("version") + 1)
    upload = apply(queued, django_capture_on_commit_callbacks)
    assert upload.status == UploadStatus.FAILED and upload.message == "该月报已被他人修改，请刷新后重试"
    assert not MonthlyRecord.objects.exists()
    assert not default_storage.exists(upload.path)


def test_rows_that_no_longer_validate_fail_the_upload(queued, report, django_capture_on_commit_callbacks):
    with default_storage.open(queued.path, "wb") as kept:  # stands in for data that changed since the preview
        kept.write(filled_template(report.street, {"E2": -1}))
    upload = apply(queued, django_capture_on_commit_callbacks)
    assert upload.status == UploadStatus.FAILED and "校验未通过（1 处错误）" in upload.message
    assert not MonthlyRecord.objects.exists()


def test_a_confirmation_on_a_changed_report_fails_at_once(previewed, report, officer):
    monthly_records_save(report=report, rows=[row("C0002", petitions=1)], actor=officer,
                         expected_version=report.version, source="t")
    upload = monthly_upload_queue(upload=previewed, actor=officer)
    assert upload.status == UploadStatus.FAILED and upload.message == "该月报已被他人修改，请刷新后重试"


def test_confirming_twice_queues_once(queued, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as sent:
        again = monthly_upload_queue(upload=queued, actor=officer)
    assert again.status == UploadStatus.QUEUED and sent == []


def test_while_an_upload_is_queued_other_edits_of_the_report_are_refused(queued, report, officer, media):
    with pytest.raises(UploadInProgressError):
        monthly_records_save(report=report, rows=[row("C0002", petitions=1)], actor=officer,
                             expected_version=report.version, source="t")
    MonthlyRecord.objects.create(report=report, compound=report.street.communities.get().compounds.first(),
                                 period=report.period)
    with pytest.raises(UploadInProgressError):
        monthly_report_submit(report=report, actor=officer)
    colleague = street_officer(report.street)
    _plan, second = monthly_upload_preview(report=report, actor=colleague,
                                           content=filled_template(report.street, {"E2": 9}))
    second = monthly_upload_queue(upload=second, actor=colleague)
    assert second.status == UploadStatus.FAILED and "正在导入另一份 Excel 文件" in second.message
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_with_the_broker_down_the_upload_fails_at_once_and_frees_the_report(
        previewed, officer, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(*args):
        raise BrokerUnavailable("Redis is down")

    monkeypatch.setattr(tasks.apply_monthly_upload, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        monthly_upload_queue(upload=previewed, actor=officer)
    upload = MonthlyUpload.objects.get()
    assert upload.status == UploadStatus.FAILED and "任务队列暂时不可用" in upload.message
    assert not default_storage.exists(upload.path)


def test_the_task_applies_the_upload(queued, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.apply_monthly_upload.delay(queued.pk).get() == UploadStatus.DONE
    assert saved(report) == {"C0001": 5, "C0002": 0}


def test_a_task_out_of_retries_fails_the_upload_so_the_report_can_be_edited(queued, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "monthly_upload_apply", broken)
    result = tasks.apply_monthly_upload.apply(args=[queued.pk], throw=False)  # traced as a worker does
    assert result.failed()
    upload = MonthlyUpload.objects.get()
    assert upload.status == UploadStatus.FAILED and "导入未能完成" in upload.message


def test_clean_up_deletes_day_old_previews_with_their_files_and_fails_stuck_imports(
        report, officer, media, queued, django_capture_on_commit_callbacks):
    colleague = street_officer(report.street)
    _plan, fresh = monthly_upload_preview(report=report, actor=colleague,
                                          content=filled_template(report.street, {"E2": 1}))
    _plan, abandoned = monthly_upload_preview(report=report, actor=street_officer(report.street),
                                              content=filled_template(report.street, {"E2": 2}))
    yesterday = timezone.now() - datetime.timedelta(days=1, minutes=1)
    MonthlyUpload.objects.filter(pk=abandoned.pk).update(created_at=yesterday)

    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_uploads_clean_up() == 1
    assert set(MonthlyUpload.objects.values_list("pk", flat=True)) == {fresh.pk, queued.pk}
    assert default_storage.exists(fresh.path) and not default_storage.exists(abandoned.path)
    assert MonthlyUpload.objects.get(pk=queued.pk).status == UploadStatus.QUEUED, "a queued import waits a day"

    MonthlyUpload.objects.filter(pk=queued.pk).update(queued_at=yesterday)
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_uploads_clean_up() == 1
    stuck = MonthlyUpload.objects.get(pk=queued.pk)
    assert stuck.status == UploadStatus.FAILED and "超过一天" in stuck.message


def test_beat_runs_the_clean_up_every_hour():
    entry = CELERY_BEAT_SCHEDULE["reporting-clean-up-uploads"]
    assert entry["task"] == tasks.clean_up_uploads.name


# --- imports whose worker died (monthly_uploads_release_stuck) -----------------------------------

def interrupted(upload, *, minutes_ago: float):
    """The state a worker killed mid-import leaves: applying, started then, its transaction rolled back."""
    MonthlyUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.APPLYING, attempts=F("attempts") + 1,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))


def test_an_import_whose_worker_died_is_run_again_within_minutes(
        queued, report, settings, django_capture_on_commit_callbacks):
    settings.MONTHLY_UPLOAD_STUCK_AFTER_SECONDS = 120
    interrupted(queued, minutes_ago=3)
    with django_capture_on_commit_callbacks(execute=True):  # eager mode: the re-run happens on commit
        assert monthly_uploads_release_stuck() == 1
    upload = MonthlyUpload.objects.get()
    assert upload.status == UploadStatus.DONE and upload.attempts == 2
    assert saved(report) == {"C0001": 5, "C0002": 0}
    assert MonthlyReport.objects.get(pk=report.pk).version == report.version + 1


def test_an_import_started_less_than_the_stuck_time_ago_is_left_alone(queued, settings):
    settings.MONTHLY_UPLOAD_STUCK_AFTER_SECONDS = 120
    interrupted(queued, minutes_ago=1)
    assert monthly_uploads_release_stuck() == 0
    assert MonthlyUpload.objects.get().status == UploadStatus.APPLYING


def test_an_import_that_keeps_dying_is_failed_and_frees_its_report(
        queued, report, officer, settings, django_capture_on_commit_callbacks):
    settings.MONTHLY_UPLOAD_MAX_ATTEMPTS = 2
    interrupted(queued, minutes_ago=3)
    interrupted(queued, minutes_ago=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_uploads_release_stuck() == 1
    upload = MonthlyUpload.objects.get()
    assert upload.status == UploadStatus.FAILED and "多次中断" in upload.message
    assert not default_storage.exists(upload.path)
    report.refresh_from_db()
    monthly_records_save(report=report, rows=[row("C0001", petitions=1)], actor=officer,
                         expected_version=report.version, source="测试")
    assert saved(report) == {"C0001": 1}


def test_finished_uploads_are_never_released(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        monthly_upload_apply(upload_id=queued.pk)
    MonthlyUpload.objects.update(started_at=timezone.now() - datetime.timedelta(hours=1))
    assert monthly_uploads_release_stuck() == 0
    assert MonthlyUpload.objects.get().status == UploadStatus.DONE


def test_the_in_process_beat_of_the_embedded_default_releases_a_stuck_import(
        queued, report, settings, django_capture_on_commit_callbacks):
    from common.eager_beat import run_due_entries

    settings.EAGER_BEAT = True
    interrupted(queued, minutes_ago=3)
    with django_capture_on_commit_callbacks(execute=True):
        ran = run_due_entries(now=timezone.now())
    assert "reporting-release-stuck-uploads" in ran
    assert MonthlyUpload.objects.get().status == UploadStatus.DONE
    assert saved(report) == {"C0001": 5, "C0002": 0}


def test_beat_checks_for_stuck_imports_every_minute():
    entry = CELERY_BEAT_SCHEDULE["reporting-release-stuck-uploads"]
    assert entry["task"] == tasks.release_stuck_uploads.name and entry["schedule"] <= 60
