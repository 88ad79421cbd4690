import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.backends.utils import CursorWrapper
from django.urls import reverse
from openpyxl import load_workbook

from reporting.excel import monthly_template
from reporting.models import MonthlyRecord, MonthlyReport, MonthlyUpload, ReportState
from communities.models import Compound
from reporting.periods import add_months
from reporting.services import (
    monthly_records_save,
    monthly_report_get_or_create,
    monthly_report_return_to_draft,
    monthly_report_submit,
)
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, district_staff, street_officer

from .conftest import PERIOD, filled_template, row

pytestmark = pytest.mark.django_db


def url(name, street, **kwargs):
    return reverse(f"reporting:{name}", kwargs={"street_code": street.code, "period": PERIOD, **kwargs})


def grid_post(report, values, version=None):
    data = {"version": report.version if version is None else version}
    data.update({f"{code}__{field}": value for (code, field), value in values.items()})
    return data


def test_street_officer_lands_on_this_months_report(client, officer, compounds):
    client.force_login(officer)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(f"/reports/{officer.street.code}/")


def test_district_staff_land_on_their_district_dashboard(client, reviewer):
    client.force_login(reviewer)
    landing = reverse("dashboard:district", kwargs={"code": reviewer.district.code})
    assert client.get("/", follow=True).redirect_chain[-1][0] == landing


def test_report_page_shows_state_missing_and_flags(client, report, officer):
    monthly_records_save(report=report, rows=[row("C0001", petitions=1)], actor=officer, expected_version=1, source="t")
    MonthlyRecord.objects.filter(compound__code="C0001").update(flags=[{"field": "petitions", "message": "信访件数 异常"}])
    client.force_login(officer)
    page = client.get(url("report", report.street)).content.decode()
    assert "草稿" in page and "温陵小区（C0002）" in page and "信访件数 异常" in page


def test_report_page_query_count_does_not_grow_with_compounds(client, report, officer, community,
                                                             django_assert_max_num_queries):
    CompoundFactory.create_batch(30, community=community)
    client.force_login(officer)
    # The figures add a page of compounds (COUNT, LIMIT), their records and the street's totals.
    with django_assert_max_num_queries(17):
        assert client.get(url("report", report.street)).status_code == 200


def test_grid_shows_previous_month_under_each_input(client, report, officer, street):
    from reporting.services import monthly_report_get_or_create

    april = monthly_report_get_or_create(street=street, period=PERIOD.replace(month=4))
    monthly_records_save(report=april, rows=[row("C0001", petitions=17)], actor=officer, expected_version=1, source="t")
    client.force_login(officer)
    page = client.get(url("grid", street)).content.decode()
    assert 'name="C0001__petitions"' in page and '<small class="previous" title="上月">17</small>' in page


def test_grid_query_count_does_not_grow_with_compounds(client, report, officer, community, django_assert_max_num_queries):
    CompoundFactory.create_batch(30, community=community)
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        assert client.get(url("grid", report.street)).status_code == 200


def street_with_history(size: int):
    """A street of `size` compounds with its draft report for PERIOD: the first five compounds already
    have figures this month, and every compound has three months of history (last month shown under
    the inputs, the months before for the outlier medians)."""
    street = StreetFactory()
    compounds = CompoundFactory.create_batch(size, community=CommunityFactory(street=street))
    for months_back in range(3, -1, -1):
        report = monthly_report_get_or_create(street=street, period=add_months(PERIOD, -months_back))
        MonthlyRecord.objects.bulk_create(
            MonthlyRecord(report=report, compound=compound, period=report.period, weekly_meetings=2, petitions=1)
            for compound in (compounds[:5] if months_back == 0 else compounds))
    return street, street_officer(street), report


@pytest.fixture
def rows_read(monkeypatch):
    """A counter of the rows fetched from the database into Python: what a read costs beyond its queries."""
    read = {"rows": 0}

    def counting(name):
        def fetch(self, *args):
            result = getattr(self.cursor, name)(*args)
            read["rows"] += (result is not None) if name == "fetchone" else len(result)
            return result
        return fetch

    for name in ("fetchone", "fetchmany", "fetchall"):
        monkeypatch.setattr(CursorWrapper, name, counting(name), raising=False)
    return read


def grid_costs(client, size: int, django_assert_max_num_queries, rows_read) -> dict[str, tuple[int, int, list[str]]]:
    """(queries, rows read, the SQL) of a grid page GET and of saving the first page, every row filled,
    in a street of `size` compounds."""
    street, officer, report = street_with_history(size)
    client.force_login(officer)
    costs = {}
    first_page = Compound.objects.filter(community__street=street).order_by("code")[:40]
    values = {(compound.code, "petitions"): "3" for compound in first_page}
    for name, limit, request in (
            ("page", 12, lambda: client.get(url("grid", street) + "?page=1")),
            ("save", 24, lambda: client.post(url("grid", street) + "?page=1", grid_post(report, values)))):
        rows_before = rows_read["rows"]
        with django_assert_max_num_queries(limit) as queries:
            response = request()
        assert response.status_code == (200 if name == "page" else 302)
        costs[name] = (len(queries), rows_read["rows"] - rows_before, [query["sql"] for query in queries.captured_queries])
    assert MonthlyRecord.objects.filter(report=report, petitions=3).count() == 40
    return costs


def test_grid_page_and_its_save_cost_the_same_in_a_street_of_60_compounds_as_in_one_of_300(
        client, django_assert_max_num_queries, rows_read):
    small = grid_costs(client, 60, django_assert_max_num_queries, rows_read)
    big = grid_costs(client, 300, django_assert_max_num_queries, rows_read)
    for name in ("page", "save"):
        assert big[name][:2] == small[name][:2], f"{name}: (queries, rows read) {small[name][:2]} → {big[name][:2]}\n" + (
            "\n".join(big[name][2]))


def test_grid_save_stores_values_and_redirects(client, report, officer):
    client.force_login(officer)
    response = client.post(url("grid", report.street), grid_post(report, {("C0001", "petitions"): "3",
                                                                          ("C0002", "weekly_meetings"): "2"}))
    assert response.status_code == 302
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 3
    assert MonthlyRecord.objects.get(compound__code="C0002").weekly_meetings == 2
    history = MonthlyRecord.history.filter(history_user=officer)
    assert history.count() == 2 and {h.history_change_reason for h in history} == {"网格填报"}


def test_invalid_grid_save_keeps_what_was_typed_and_shows_errors_inline(client, report, officer):
    client.force_login(officer)
    response = client.post(url("grid", report.street), grid_post(report, {
        ("C0001", "petitions"): "3", ("C0002", "hotline_received"): "1", ("C0002", "hotline_resolved"): "4"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'name="C0001__petitions" value="3"' in page
    assert 'name="C0002__hotline_resolved" value="4"' in page
    assert "温陵小区（C0002）：12345物业诉求办结件数(4) 不能大于12345物业诉求受理件数(1)" in page
    assert not MonthlyRecord.objects.exists()


def test_stale_grid_save_is_refused_with_reload_message(client, report, officer):
    client.force_login(officer)
    client.post(url("grid", report.street), grid_post(report, {("C0001", "petitions"): "3"}))
    response = client.post(url("grid", report.street), grid_post(report, {("C0001", "petitions"): "9"}, version=1))
    assert "该月报已被他人修改，请刷新后重试" in response.content.decode()
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 3


def test_other_streets_report_is_not_found(client, report, other_street):
    client.force_login(street_officer(other_street))
    for name in ("report", "grid", "history", "template", "upload"):
        assert client.get(url(name, report.street)).status_code == 404


def test_other_districts_staff_get_not_found(client, report):
    client.force_login(district_staff(StreetFactory().district))
    assert client.get(url("report", report.street)).status_code == 404
    assert client.post(url("action", report.street, action="approve")).status_code == 404


def test_district_staff_may_see_but_not_edit_the_grid(client, report, reviewer):
    client.force_login(reviewer)
    assert client.get(url("report", report.street)).status_code == 200
    assert client.get(url("grid", report.street)).status_code == 403
    assert client.post(url("action", report.street, action="submit")).status_code == 403


def test_officer_may_not_approve_own_report(client, report, officer):
    monthly_records_save(report=report, rows=[row("C0001", petitions=1)], actor=officer, expected_version=1, source="t")
    monthly_report_submit(report=report, actor=officer)
    client.force_login(officer)
    assert client.post(url("action", report.street, action="approve")).status_code == 403


def test_submit_approve_return_through_the_pages(client, report, officer, reviewer):
    client.force_login(officer)
    client.post(url("grid", report.street), grid_post(report, {("C0001", "petitions"): "3"}))
    submit(client, report)
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    client.force_login(reviewer)
    queue = client.get(reverse("reporting:review_queue")).content.decode()
    assert report.street.name in queue
    version = shown_version(client, report)
    client.post(url("action", report.street, action="return"), {"reason": "", "version": version})
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED, "a return needs a reason"
    client.post(url("action", report.street, action="approve"), {"version": version})
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.APPROVED


def submit(client, report, **kwargs):
    """Confirm the submission on the completeness check, at the version it shows."""
    page = client.get(url("submit_check", report.street)).content.decode()
    version = re.search(r'<input type="hidden" name="version" value="(\d+)">', page)[1]
    return client.post(url("action", report.street, action="submit"), {"version": version}, **kwargs)


def shown_version(client, report) -> str:
    """The version the report page gives both review forms (approve and return) to post."""
    page = client.get(url("report", report.street)).content.decode()
    versions = re.findall(r'<input type="hidden" name="version" value="(\d+)">', page)
    assert len(versions) == 2 and len(set(versions)) == 1, versions
    return versions[0]


def test_a_review_posted_from_a_page_older_than_the_resubmission_is_refused(client, report, officer, reviewer):
    monthly_records_save(report=report, rows=[row("C0001", petitions=1)], actor=officer, expected_version=1, source="t")
    monthly_report_submit(report=report, actor=officer)
    client.force_login(reviewer)
    seen = shown_version(client, report)
    colleague = district_staff(report.street.district)
    monthly_report_return_to_draft(report=report, actor=colleague, reason="补充")
    monthly_records_save(report=report, rows=[row("C0002", petitions=9)], actor=officer,
                         expected_version=report.version, source="t")
    monthly_report_submit(report=report, actor=officer)
    current = MonthlyReport.objects.get(pk=report.pk)
    for action, data in (("approve", {}), ("return", {"reason": "有误"})):
        response = client.post(url("action", report.street, action=action), {**data, "version": seen}, follow=True)
        assert response.redirect_chain[-1][0] == url("report", report.street)
        assert "该月报在您查看后已被修改，请刷新后重新审核" in response.content.decode()
        assert MonthlyReport.objects.get(pk=report.pk).version == current.version
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    client.post(url("action", report.street, action="approve"), {"version": shown_version(client, report)})
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.APPROVED


def test_a_review_posted_without_a_version_is_refused(client, report, officer, reviewer):
    monthly_records_save(report=report, rows=[row("C0001", petitions=1)], actor=officer, expected_version=1, source="t")
    monthly_report_submit(report=report, actor=officer)
    client.force_login(reviewer)
    client.post(url("action", report.street, action="approve"))
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_city_reopens_through_the_page(client, report, officer, reviewer, city):
    client.force_login(officer)
    client.post(url("grid", report.street), grid_post(report, {("C0001", "petitions"): "3"}))
    submit(client, report)
    client.force_login(reviewer)
    client.post(url("action", report.street, action="approve"), {"version": shown_version(client, report)})
    client.force_login(city)
    client.post(url("action", report.street, action="reopen"), {"reason": "更正信访件数"})
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_review_queue_lists_only_own_district_with_counts(client, report, officer, reviewer,
                                                          django_assert_max_num_queries):
    monthly_records_save(report=report, rows=[row("C0001", petitions=1)], actor=officer, expected_version=1, source="t")
    monthly_report_submit(report=report, actor=officer)
    elsewhere = StreetFactory(name="别处街道")
    client.force_login(reviewer)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("reporting:review_queue")).content.decode()
    assert report.street.name in page and elsewhere.name not in page
    assert "1 / 2" in page


def test_street_officer_has_no_review_queue(client, officer):
    client.force_login(officer)
    assert client.get(reverse("reporting:review_queue")).status_code == 403


def test_history_page_lists_who_which_compound_field_old_and_new(client, report, officer):
    monthly_records_save(report=report, rows=[row("C0001", petitions=1)], actor=officer, expected_version=1, source="t")
    monthly_records_save(report=report, rows=[row("C0001", petitions=4)], actor=officer, expected_version=2, source="t")
    client.force_login(officer)
    page = client.get(url("history", report.street)).content.decode()
    assert "泉秀花园（C0001）" in page and "信访件数" in page and "修改" in page
    assert '<td class="num">1</td><td class="num">4</td>' in page


def test_template_download_is_an_xlsx_named_for_street_and_month(client, report, officer):
    client.force_login(officer)
    response = client.get(url("template", report.street))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "2024-05" in response["Content-Disposition"]
    assert load_workbook(BytesIO(response.content)).worksheets[0]["A2"].value == "C0001"


def preview(client, report, cells):
    return client.post(url("upload", report.street),
                       {"file": SimpleUploadedFile("月报.xlsx", filled_template(report.street, cells))})


def confirm(client, report, preview_response):
    """Confirm as the page's form does."""
    return client.post(url("upload_confirm", report.street), {"upload": preview_response.context["pending"].pk},
                       follow=True)


# The import is sent once the confirmation commits: these tests commit, as a real request does.
@pytest.mark.django_db(transaction=True)
def test_upload_previews_then_confirm_saves_inline_without_a_broker(client, report, officer, media):
    client.force_login(officer)
    shown = preview(client, report, {"E2": 5, "C3": 2})
    page = shown.content.decode()
    assert "确认导入 2 个小区" in page and "信访件数：— → 5" in page
    assert not MonthlyRecord.objects.exists(), "the preview saves nothing"
    response = confirm(client, report, shown)
    assert response.redirect_chain[-1][0] == url("report", report.street)
    assert "已导入 2 个小区的数据。" in response.content.decode()
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 5
    assert {h.history_change_reason for h in MonthlyRecord.history.all()} == {"Excel导入"}
    assert list((media / "reporting" / "uploads").iterdir()) == [], "the kept file is removed after confirming"


def test_upload_with_bad_rows_lists_every_error_and_saves_nothing(client, report, officer, media):
    client.force_login(officer)
    response = preview(client, report, {"E2": -1, "U3": 150})
    page = response.content.decode()
    assert response.status_code == 400
    assert "发现 2 处错误，未保存任何数据" in page
    assert "泉秀花园（C0001）：信访件数 须为不小于0的整数" in page and "温陵小区（C0002）：精细化考评得分" in page
    assert not MonthlyUpload.objects.exists(), "nothing is kept to confirm"
    assert client.post(url("upload_confirm", report.street)).status_code == 302
    assert not MonthlyRecord.objects.exists()


def test_upload_refuses_other_file_types(client, report, officer, media):
    client.force_login(officer)
    response = client.post(url("upload", report.street), {"file": SimpleUploadedFile("data.csv", b"a,b")})
    assert "只能上传 .xlsx 格式的文件" in response.content.decode()


def test_upload_refuses_big_files(client, report, officer, media, settings):
    settings.MONTHLY_UPLOAD_MAX_BYTES = 10
    client.force_login(officer)
    response = client.post(url("upload", report.street), {"file": SimpleUploadedFile("a.xlsx", b"x" * 20)})
    assert "文件不能超过" in response.content.decode()


def test_confirm_after_someone_else_saved_is_refused(client, report, officer, media):
    client.force_login(officer)
    shown = preview(client, report, {"E2": 5})
    monthly_records_save(report=report, rows=[row("C0002", petitions=1)], actor=officer,
                         expected_version=report.version, source="t")
    response = confirm(client, report, shown)
    assert response.redirect_chain[-1][0] == url("upload", report.street)
    assert "该月报已被他人修改，请刷新后重试" in response.content.decode()
    assert not MonthlyRecord.objects.filter(compound__code="C0001").exists()


def status_url(street, upload):
    return url("upload_status", street, upload_id=upload.pk)


def test_with_a_broker_the_officer_follows_the_import_on_its_page(client, report, officer, media,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(officer)
    shown = preview(client, report, {"E2": 5, "C3": 2})
    with django_capture_on_commit_callbacks() as sent:  # the task waits for a worker
        response = confirm(client, report, shown)
    upload = MonthlyUpload.objects.get()
    assert response.redirect_chain[-1][0] == status_url(report.street, upload)
    page = response.content.decode()
    assert "导入进行中" in page and '<meta http-equiv="refresh" content="3">' in page
    assert not MonthlyRecord.objects.exists()

    for callback in sent:  # a worker takes the task
        callback()
    page = client.get(status_url(report.street, upload)).content.decode()
    assert "导入完成：已导入 2 个小区的数据。" in page and 'http-equiv="refresh"' not in page
    assert f'href="{url("report", report.street)}"' in page
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 5


def test_status_page_of_a_failed_import_gives_the_reason_and_a_way_back(client, report, officer, media):
    client.force_login(officer)
    shown = preview(client, report, {"E2": 5})
    monthly_records_save(report=report, rows=[row("C0002", petitions=1)], actor=officer,
                         expected_version=report.version, source="t")
    confirm(client, report, shown)
    page = client.get(status_url(report.street, MonthlyUpload.objects.get())).content.decode()
    assert "导入失败，未保存任何数据：该月报已被他人修改，请刷新后重试" in page
    assert f'href="{url("upload", report.street)}"' in page


@pytest.fixture
def importing(client, report, officer, media, django_capture_on_commit_callbacks):
    """A confirmed upload of C0001's petitions waiting for a worker; C0002 was saved before."""
    monthly_records_save(report=report, rows=[row("C0002", petitions=1)], actor=officer,
                         expected_version=report.version, source="t")
    client.force_login(officer)
    shown = preview(client, report, {"E2": 5, "C3": 2})
    with django_capture_on_commit_callbacks():
        confirm(client, report, shown)
    return MonthlyUpload.objects.get()


def test_while_importing_the_report_cannot_be_edited_elsewhere(client, report, officer, importing):
    page = client.get(url("report", report.street)).content.decode()
    assert "正在导入" in page and status_url(report.street, importing) in page
    assert url("grid", report.street) + '"' not in page.split("breadcrumb")[0], "no grid button"
    assert 'data-testid="submit-report"' not in page
    assert client.get(url("upload", report.street)).url == status_url(report.street, importing)
    response = client.post(url("grid", report.street), grid_post(report, {("C0002", "petitions"): 3}), follow=True)
    assert "该月报正在导入 Excel 数据，请等导入结束后再修改" in response.content.decode()
    response = submit(client, report, follow=True)
    assert "该月报正在导入 Excel 数据" in response.content.decode()
    assert list(MonthlyRecord.objects.values_list("compound__code", "petitions")) == [("C0002", 1)]
    assert MonthlyReport.objects.get().state == ReportState.DRAFT


def test_upload_status_is_for_those_who_may_edit_the_report(client, report, officer, reviewer, importing):
    other_officer = street_officer(StreetFactory(district=report.street.district))
    for user, expected in ((officer, 200), (street_officer(report.street), 200), (reviewer, 403),
                           (other_officer, 404)):
        client.force_login(user)
        assert client.get(status_url(report.street, importing)).status_code == expected, user


def test_upload_status_of_another_months_upload_is_not_found(client, report, officer, importing):
    april = PERIOD.replace(month=4)
    MonthlyReport.objects.create(street=report.street, period=april, due_on=PERIOD)
    other_month = reverse("reporting:upload_status", kwargs={"street_code": report.street.code, "period": april,
                                                             "upload_id": importing.pk})
    assert client.get(other_month).status_code == 404


def test_only_the_uploader_may_confirm_a_preview(client, report, officer, media):
    client.force_login(officer)
    shown = preview(client, report, {"E2": 5})
    client.force_login(street_officer(report.street))
    response = confirm(client, report, shown)
    assert "没有待确认的上传，请重新上传文件" in response.content.decode()
    assert MonthlyUpload.objects.get().status == "preview"
