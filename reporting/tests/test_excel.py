from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from reporting.excel import ExcelLayoutError, headers, monthly_template, read_monthly_workbook
from reporting.models import MonthlyRecord
from reporting.services import monthly_records_save

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def filled(content: bytes, cells: dict[str, object]) -> bytes:
    workbook = load_workbook(BytesIO(content))
    for ref, value in cells.items():
        workbook.worksheets[0][ref] = value
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot():
    return sorted(MonthlyRecord.objects.values_list("compound__code", "petitions", "hotline_received",
                                                    "hotline_resolved", "fees_due"))


def test_template_has_headers_compounds_validation_and_instructions(street, compounds):
    workbook = load_workbook(BytesIO(monthly_template(street=street, period=PERIOD)))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == headers()
    assert sheet["C1"].value == "三方议事会议次数"
    assert [(sheet[f"A{r}"].value, sheet[f"B{r}"].value) for r in (2, 3)] == [("C0001", "泉秀花园"), ("C0002", "温陵小区")]
    kinds = {rule.type for rule in sheet.data_validations.dataValidation}
    assert kinds == {"whole", "decimal", "list"}
    assert "填写说明" in workbook.sheetnames
    assert workbook["填写说明"]["B2"].value == street.code


def test_template_is_prefilled_with_values_already_entered(report, officer):
    monthly_records_save(report=report, rows=[row("C0001", petitions=7, public_revenue_disclosed=True)], actor=officer,
                         expected_version=report.version, source="测试")
    sheet = load_workbook(BytesIO(monthly_template(street=report.street, period=PERIOD))).worksheets[0]
    assert sheet["E2"].value == 7
    assert sheet["T2"].value == "是"


def test_round_trip_template_filled_with_openpyxl_is_imported(street, compounds, tmp_path):
    template = tmp_path / "t.xlsx"
    call_command("monthly_template", "--street", street.code, "--period", "2024-05", "--out", str(template))
    content = filled(template.read_bytes(), {"E2": 3, "F2": 10, "G2": 8, "J2": 1500.5, "U3": 92.5, "T3": "是"})
    template.write_bytes(content)
    call_command("import_monthly", str(template), "--street", street.code, "--period", "2024-05")
    first = MonthlyRecord.objects.get(compound__code="C0001", period=PERIOD)
    second = MonthlyRecord.objects.get(compound__code="C0002", period=PERIOD)
    assert (first.petitions, first.hotline_received, first.hotline_resolved, str(first.fees_due)) == (3, 10, 8, "1500.50")
    assert (str(second.evaluation_score), second.public_revenue_disclosed) == ("92.50", True)
    assert {h.history_change_reason for h in MonthlyRecord.history.all()} == {"命令行导入"}


def test_bad_row_makes_command_fail_and_leaves_database_exactly_as_it_was(report, officer, tmp_path, capsys):
    monthly_records_save(report=report, rows=[row("C0001", petitions=1, hotline_received=5, hotline_resolved=5)],
                         actor=officer, expected_version=report.version, source="测试")
    before, history_before = snapshot(), MonthlyRecord.history.count()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(filled(monthly_template(street=report.street, period=PERIOD),
                            {"E2": 9, "F3": 2, "G3": 5, "E3": -1}))
    with pytest.raises(CommandError, match="共 2 处错误，未保存任何数据"):
        call_command("import_monthly", str(path), "--street", report.street.code, "--period", "2024-05")
    err = capsys.readouterr().err
    assert "第3行 温陵小区（C0002）：信访件数 须为不小于0的整数" in err
    assert "第3行 温陵小区（C0002）：12345物业诉求办结件数(5) 不能大于12345物业诉求受理件数(2)" in err
    assert snapshot() == before and MonthlyRecord.history.count() == history_before


def test_template_command_rejects_unknown_street(tmp_path):
    with pytest.raises(CommandError, match="找不到代码为 NOPE 的街道"):
        call_command("monthly_template", "--street", "NOPE", "--period", "2024-05", "--out", str(tmp_path / "x.xlsx"))


def test_changed_header_is_a_layout_error(street, compounds):
    content = filled(monthly_template(street=street, period=PERIOD), {"D1": "别的"})
    with pytest.raises(ExcelLayoutError, match="D列应为“四方联席会议次数”，实为“别的”"):
        read_monthly_workbook(content, street=street, period=PERIOD)


def test_file_made_for_another_month_is_refused(street, compounds):
    content = monthly_template(street=street, period=PERIOD)
    with pytest.raises(ExcelLayoutError, match="与当前要导入的街道或月份不一致"):
        read_monthly_workbook(content, street=street, period=PERIOD.replace(month=4))


def test_sheet_without_instructions_is_read_by_layout_alone(street, compounds):
    workbook = Workbook()
    workbook.active.append(headers())
    workbook.active.append(["C0002", "温陵小区", 2])
    buffer = BytesIO()
    workbook.save(buffer)
    [only] = read_monthly_workbook(buffer.getvalue(), street=street, period=PERIOD)
    assert (only.code, only.values["weekly_meetings"], only.line) == ("C0002", 2, 2)


def test_not_an_excel_file_is_refused(street):
    with pytest.raises(ExcelLayoutError, match="无法读取该文件"):
        read_monthly_workbook(b"not a zip", street=street, period=PERIOD)


def test_import_as_a_user_of_another_street_is_refused(street, compounds, other_street, tmp_path):
    from tests.factories import street_officer

    outsider = street_officer(other_street, username="outsider")
    path = tmp_path / "t.xlsx"
    path.write_bytes(filled(monthly_template(street=street, period=PERIOD), {"E2": 1}))
    with pytest.raises(CommandError, match="只有本街道"):
        call_command("import_monthly", str(path), "--street", street.code, "--period", "2024-05", "--user", "outsider")
    assert not MonthlyRecord.objects.exists()
    assert outsider.street == other_street
