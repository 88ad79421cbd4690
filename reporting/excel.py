"""The monthly Excel template and its reading back.

Layout, stable because other systems script against it: the first sheet holds row 1 headers, then
one row per compound with its code in column A, its name in column B and the month's fields from
column C on, in validation.FIELDS order. A second sheet, 填写说明, explains the rules and names the
street and month the file was made for. A third, 上月数据, lists last month's values in the same
columns, in grey, for the officer to compare or copy from; the import never reads it.
"""
from __future__ import annotations

import datetime
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common.spreadsheets import workbook_bytes
from common.uploads import check_xlsx_container
from common.xlsx import SpreadsheetError, read_xlsx
from communities.selectors import street_compounds

from .periods import add_months, format_period, month_label
from .selectors import monthly_grid_rows
from .validation import COUNT, FIELDS, FLAG, MONEY, PART_OF_WHOLE, FIELD_BY_NAME, RowInput, show_value

DATA_SHEET = "月报数据"
INSTRUCTIONS_SHEET = "填写说明"
NAME_COLUMN = 1  # B, counted from 0
PREVIOUS_SHEET = "上月数据"
FIRST_FIELD_COLUMN = 3
# Columns a data row may reach: the template's 21 plus room for an officer's notes beside them,
# which are not read.
MAX_COLUMNS = 64


class ExcelLayoutError(Exception):
    @property
    def message(self) -> str:
        return str(self.args[0])


def headers() -> list[str]:
    return [_("小区代码"), _("小区名称"), *[spec.label for spec in FIELDS]]


def _validation_for(kind: str) -> DataValidation:
    if kind == COUNT:
        rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        rule.error = _("请填写不小于0的整数")
    elif kind == MONEY:
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        rule.error = _("请填写不小于0的金额")
    elif kind == FLAG:
        rule = DataValidation(type="list", formula1='"是,否"')
        rule.error = _("请选择“是”或“否”")
    else:
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        rule.error = _("请填写0到100之间的分数")
    rule.errorTitle, rule.showErrorMessage, rule.allow_blank = _("填写有误"), True, True
    return rule


def _cells(record) -> list:
    if record is None:
        return [None] * len(FIELDS)
    return [show_value(getattr(record, spec.name)) if spec.kind == FLAG else getattr(record, spec.name) for spec in FIELDS]


def monthly_template(*, street, period: datetime.date) -> bytes:
    """The street's template for the month, pre-filled with the month's values already entered."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append(headers())
    rows = monthly_grid_rows(street=street, period=period)
    for grid_row in rows:
        sheet.append([grid_row.compound.code, grid_row.compound.name, *_cells(grid_row.record)])
    last_row = max(len(rows) + 1, 2)
    for offset, spec in enumerate(FIELDS):
        letter = get_column_letter(FIRST_FIELD_COLUMN + offset)
        rule = _validation_for(spec.kind)
        sheet.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{last_row}")
        sheet.column_dimensions[letter].width = 14
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="EEF2F7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 14, 24
    sheet.freeze_panes = "C2"
    _instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), street, period)
    _previous_month(workbook.create_sheet(PREVIOUS_SHEET), rows)
    return workbook_bytes(workbook)


def _previous_month(sheet, rows) -> None:
    """Last month's values, greyed, in the data sheet's columns: to compare with or copy from."""
    grey = Font(color="808080")
    sheet.append(headers())
    for grid_row in rows:
        sheet.append([grid_row.compound.code, grid_row.compound.name, *_cells(grid_row.previous)])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.font = grey
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True, color="808080"), PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 14, 24
    sheet.freeze_panes = "C2"
    sheet.sheet_properties.tabColor = "BFBFBF"


def _instructions(sheet, street, period) -> None:
    sheet.append([_("泉州市住宅小区月报数据填报模板")])
    sheet.append([_("街道(乡镇)代码"), street.code, street.name])
    sheet.append([_("月份"), format_period(period)])
    sheet.append([])
    rules = [
        _("1. 请只在“%(sheet)s”工作表中填写，不要修改第1行表头、A列小区代码和B列小区名称，不要增删列。") % {"sheet": DATA_SHEET},
        _("2. 次数、件数、人数填写不小于0的整数；金额（元）填写不小于0的数，最多两位小数。"),
        _("3. 精细化考评得分为季度考评结果，填写0到100之间的分数；本月未考评请留空。"),
        _("4. 公共收益已公示请填写“是”或“否”，留空视为“否”。"),
        _("5. 一行中有任何数据时，留空的次数和金额按0计；整行留空表示该小区本月暂无数据（已有数据将被删除）。"),
        _("6. 以下数值不能大于后者：%(pairs)s。") % {"pairs": "；".join(
            f"{FIELD_BY_NAME[part].label} ≤ {FIELD_BY_NAME[whole].label}" for part, whole in PART_OF_WHOLE)},
        _("7. 上传时整份文件一起校验：任何一行有误，整份文件都不会保存，系统会列出全部有误的行和单元格。"),
        _("8. 明显偏离该小区近几个月中位数的数值可以保存，但会提示审核人员核实。"),
        _("9. “%(sheet)s”工作表列出各小区%(month)s的数值（灰色），仅供对照或复制，导入时不读取该表。") % {
            "sheet": PREVIOUS_SHEET, "month": month_label(add_months(period, -1))},
    ]
    for line in rules:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 110


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric code typed into Excel comes back as 350502.0
    return "" if value is None else str(value).strip()


def read_monthly_workbook(content: bytes, *, street=None, period: datetime.date | None = None) -> list[RowInput]:
    """Rows of the first sheet as RowInput; ExcelLayoutError when the file is not this template.

    Read with common.xlsx, which keeps only the template's columns of the rows that have content,
    whatever the file's XML claims. Formulas are refused, not read: a reader would hand back
    whatever value the file claims they computed.
    """
    if len(content) > settings.MONTHLY_UPLOAD_MAX_BYTES:
        raise ExcelLayoutError(_("文件不能超过 %(size)s") % {"size": filesizeformat(settings.MONTHLY_UPLOAD_MAX_BYTES)})
    expected = headers()
    try:
        check_xlsx_container(BytesIO(content), max_uncompressed=settings.MONTHLY_UPLOAD_MAX_UNCOMPRESSED_BYTES,
                             max_entries=settings.MONTHLY_UPLOAD_MAX_ZIP_ENTRIES, allow_formulas=False)
        workbook = read_xlsx(BytesIO(content), columns=len(expected), max_rows=settings.MONTHLY_UPLOAD_MAX_ROWS,
                             max_uncompressed=settings.MONTHLY_UPLOAD_MAX_UNCOMPRESSED_BYTES,
                             sheets=(0, INSTRUCTIONS_SHEET))
    except ValidationError as exc:
        raise ExcelLayoutError(exc.messages[0]) from exc
    except SpreadsheetError as exc:
        raise ExcelLayoutError(exc.message) from exc
    if 0 not in workbook.sheets:
        raise ExcelLayoutError(_("无法读取该文件，请上传由本系统下载的 .xlsx 模板"))
    if INSTRUCTIONS_SHEET in workbook.sheets and street is not None:
        _check_made_for(workbook.sheets[INSTRUCTIONS_SHEET].rows, street, period)
    rows = workbook.sheets[0].rows
    if any(row.last_column > MAX_COLUMNS for row in rows):
        raise ExcelLayoutError(_("工作表列数过多（上限 %(limit)s 列），请删除多余的列") % {"limit": MAX_COLUMNS})
    first = rows[0] if rows and rows[0].number == 1 else None
    header = [_cell_text(value) for value in first.values] if first else []
    if header[:1] != expected[:1] and workbook.sheet_names[0] != DATA_SHEET:
        raise ExcelLayoutError(_("第一张工作表应为“%(sheet)s”，实为“%(found)s”，请使用本系统下载的模板") % {
            "sheet": DATA_SHEET, "found": workbook.sheet_names[0]})
    for index, title in enumerate(expected):
        found = header[index] if index < len(header) else ""
        if found != title:
            raise ExcelLayoutError(_("第一张工作表第1行表头与模板不一致：%(column)s列应为“%(title)s”，实为“%(found)s”") % {
                "column": get_column_letter(index + 1), "title": title, "found": found})
    if first.last_column > len(expected):
        raise ExcelLayoutError(_("第一张工作表有多余的列，请使用本系统下载的模板"))
    names = [spec.name for spec in FIELDS]
    result = []
    for row in rows[1:] if first else rows:
        cells, line = row.values, row.number
        if all(_cell_text(value) == "" for value in cells):
            continue
        for column, value in enumerate(cells):
            # A formula typed as text ('=1+1) where a figure goes is refused as one. The name column
            # is not read: it holds the compound's name as the template wrote it, whatever it is.
            if column != NAME_COLUMN and isinstance(value, str) and value.lstrip().startswith("="):
                raise ExcelLayoutError(_("%(cell)s 单元格含有公式，请直接填写数值") % {
                    "cell": f"{get_column_letter(column + 1)}{line}"})
        cells = list(cells) + [None] * (len(expected) - len(cells))
        result.append(RowInput(_cell_text(cells[0]), dict(zip(names, cells[2:len(expected)])), line))
    if street is not None:
        # More filled rows than the street has compounds can only be junk: refuse it whole rather
        # than listing an error per row.
        known = street_compounds(street).count()
        if len(result) > known:
            raise ExcelLayoutError(_("文件有 %(rows)s 行数据，超过本街道的小区数（%(known)s 个），请使用本系统下载的模板") % {
                "rows": len(result), "known": known})
    return result


def _check_made_for(instructions, street, period) -> None:
    values = {row.number: row.values for row in instructions}

    def cell(line: int) -> str:
        return _cell_text(values[line][1]) if len(values.get(line, ())) > 1 else ""

    # Rows 2 and 3 of the instructions sheet, column B: see _instructions.
    made_street, made_period = cell(2), cell(3)
    if (made_street and made_street != street.code) or (made_period and made_period != format_period(period)):
        raise ExcelLayoutError(_("该文件是 %(street)s %(period)s 的模板，与当前要导入的街道或月份不一致") % {
            "street": made_street, "period": made_period})
