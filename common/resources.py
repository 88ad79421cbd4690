"""Shared django-import-export building blocks for the registry files.

Files speak the officers' language: Chinese headers (the models' verbose names), choice labels
instead of internal values, and codes instead of ids for every reference.
"""
from __future__ import annotations

import csv
import datetime
import io
import re

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, DateField, DecimalField, ForeignKey, IntegerField
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader

from accounts.scope import AreaScope
from common.privacy import reaches_personal_field
from districts.selectors import is_scoped

from .forms import INTEGER_DIGITS
from .numbers import NumberError, parse_integer, parse_number
from .scoping import may_write_row
from .spreadsheets import csv_cell, csv_cell_restored, table_workbook_bytes
from .uploads import check_xlsx_container
from .xlsx import SpreadsheetError, read_xlsx

CODE_FIELDS = ("code", "credit_code")


def natural_code_field(model) -> str | None:
    names = {f.name for f in model._meta.get_fields()}
    return next((name for name in CODE_FIELDS if name in names), None)


def clean_code(value) -> str:
    # Spreadsheet programs turn numeric-looking codes such as 350502 into numbers.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def scoped(queryset, scope: AreaScope | None):
    if scope is None or not is_scoped(queryset.model):
        return queryset
    return scope.filter(queryset)


def unreachable_code_message(model, code: str) -> str:
    """What a file is told about a code the importer cannot reach, whether or not it exists elsewhere."""
    return _("找不到%(model)s“%(code)s”，或它不在您的管辖范围内。") % {"model": model._meta.verbose_name, "code": code}


class CodeForeignKeyWidget(widgets.ForeignKeyWidget):
    """A reference by code, looked up within the importing user's area, with a Chinese error."""

    def __init__(self, model, field=None, **kwargs):
        super().__init__(model, field=field or natural_code_field(model), **kwargs)
        self._found = {}

    def get_queryset(self, value, row, *args, **kwargs):
        return scoped(super().get_queryset(value, row, *args, **kwargs), kwargs.get("scope"))

    def clean(self, value, row=None, **kwargs):
        code = clean_code(value)
        if not code:
            return None
        # Rows of one file mostly reference the same few areas: look each one up once.
        key = tuple(self.get_lookup_kwargs(code, row, **kwargs).items())
        if key not in self._found:
            try:
                self._found[key] = super().clean(code, row=row, **kwargs)
            except self.model.DoesNotExist:
                raise ValueError(unreachable_code_message(self.model, code)) from None
        return self._found[key]


class CodeListWidget(widgets.ManyToManyWidget):
    """Several references by code in one cell, separated by ";" (resources render the cell)."""

    def __init__(self, model, field=None, **kwargs):
        super().__init__(model, separator=";", field=field or natural_code_field(model), **kwargs)

    def clean(self, value, row=None, **kwargs):
        codes = sorted({clean_code(part) for part in str(value or "").replace("；", ";").split(";")} - {""})
        found = list(scoped(self.model.objects.filter(**{f"{self.field}__in": codes}), kwargs.get("scope")))
        missing = sorted(set(codes) - {getattr(obj, self.field) for obj in found})
        if missing:
            raise ValueError(_("找不到以下%(model)s，或它们不在您的管辖范围内：%(codes)s。")
                             % {"model": self.model._meta.verbose_name, "codes": "；".join(missing)})
        return found


class IntegerWidget(widgets.IntegerWidget):
    """Whole numbers read by common.numbers: ASCII digits only, refused by magnitude first, in Chinese."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            return parse_integer(value, integer_digits=INTEGER_DIGITS)
        except NumberError as exc:
            raise ValueError(exc.message) from None


class DecimalWidget(widgets.DecimalWidget):
    def __init__(self, *, integer_digits: int, **kwargs):
        super().__init__(**kwargs)
        self.integer_digits = integer_digits

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            return parse_number(value, integer_digits=self.integer_digits)
        except NumberError as exc:
            raise ValueError(exc.message) from None


class ChoiceLabelWidget(widgets.Widget):
    """Writes a choice's Chinese label; reads the label or the internal value."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.labels = {value: str(label) for value, label in choices}
        self.values = {label: value for value, label in self.labels.items()}

    def clean(self, value, row=None, **kwargs):
        text = clean_code(value)
        if not text:
            return ""
        if text in self.labels:
            return text
        if text in self.values:
            return self.values[text]
        raise ValueError(_("“%(value)s”不是有效选项，可选：%(options)s。")
                         % {"value": text, "options": "、".join(self.values)})

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class YesNoWidget(widgets.Widget):
    """是/否 as officers write them (also Y/N, 1/0, TRUE/FALSE, 有/无); anything else is an error,
    never a silent False (the library's BooleanWidget turns unknown words into False)."""

    YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
    NO = {"否", "无", "没有", "n", "no", "false", "0", "×"}

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("“%(value)s”应填“是”或“否”。") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return _("是") if value else _("否")


_DATE_PATTERNS = [re.compile(pattern) for pattern in (
    r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{4})/(\d{1,2})/(\d{1,2})", r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
    r"(\d{4})年(\d{1,2})月(\d{1,2})日?")]


class OfficerDateWidget(widgets.DateWidget):
    """Dates as officers type them: 2020-01-01, 2020/1/1, 2020.1.1, 2020年1月1日, or a date cell."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if " " in text:  # a date cell written with a midnight time, "2020-01-01 00:00:00"
            text = text.split(" ", 1)[0]
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                try:
                    return datetime.date(*(int(part) for part in match.groups()))
                except ValueError:
                    break
        raise ValueError(_("“%(value)s”不是有效日期，请写成 2020-01-01、2020/1/1 或 2020年1月1日。") % {"value": value})


class RegistryResource(resources.ModelResource):
    """Base of every registry resource: scoped to the importing user's area, one row at a time.

    Registry rows are imported with `save()` rather than the library's bulk mode: bulk writes skip
    model signals, so simple-history would record nothing, and the registry's whole point is that
    every change is kept with who and when. Registry files are per street (hundreds of rows), so
    row-by-row saves are cheap; instances are loaded in one query per file (CachedInstanceLoader)
    and unchanged rows are skipped, so re-importing a file adds no history noise.
    """

    def __init__(self, *, scope: AreaScope | None = None, **kwargs):
        super().__init__(**kwargs)
        # None means a trusted caller (management command, shell, test) without an area limit.
        self.scope = scope

    class Meta:
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        instance_loader_class = CachedInstanceLoader

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if isinstance(django_field, ForeignKey) and natural_code_field(django_field.related_model):
            field.attribute = field_name
            field.widget = CodeForeignKeyWidget(django_field.related_model)
        elif django_field.choices:
            field.widget = ChoiceLabelWidget(django_field.choices)
        elif isinstance(django_field, IntegerField):
            field.widget = IntegerWidget()
        elif isinstance(django_field, DecimalField):
            field.widget = DecimalWidget(integer_digits=django_field.max_digits - django_field.decimal_places)
        elif isinstance(django_field, BooleanField):
            field.widget = YesNoWidget()
        elif isinstance(django_field, DateField):
            field.widget = OfficerDateWidget()
        field.column_name = str(django_field.verbose_name)
        return field

    def get_queryset(self):
        return scoped(super().get_queryset(), self.scope)

    def get_export_order(self):
        # Personal data (common.privacy) goes into the portal through a file but never out in one:
        # no export format, admin or otherwise, has a column for it, nor offers one to tick.
        model = self._meta.model
        return tuple(name for name in super().get_export_order()
                     if not reaches_personal_field(model, self.fields[name].attribute or name))

    def filter_export(self, queryset, **kwargs):
        # Every code column reads a related row: join them instead of one query per row and column.
        related = [field.attribute + "".join(f"__{hop}" for hop in field.widget.field.split("__")[:-1])
                   for field in self.fields.values() if isinstance(field.widget, widgets.ForeignKeyWidget)]
        return super().filter_export(queryset, **kwargs).select_related(*related)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            raise self._hide_codes_out_of_scope(instance, exc) from None

    def _hide_codes_out_of_scope(self, instance, error: ValidationError) -> ValidationError:
        """A new row whose code is taken outside the importer's area is told what an unknown code is
        told: "already exists" would say that the code exists in someone else's area."""
        name = natural_code_field(type(instance))
        taken = [e for e in getattr(error, "error_dict", {}).get(name, []) if e.code == "unique"]
        if self.scope is None or not taken:
            return error
        code = getattr(instance, name)
        if scoped(type(instance)._default_manager.filter(**{name: code}), self.scope).exists():
            return error  # in the importer's own area: the truth hides nothing
        kept = [e for e in error.error_dict[name] if e.code != "unique"]
        return ValidationError({**error.error_dict, name: [*kept, ValidationError(
            unreachable_code_message(type(instance), code), code="unreachable")]})

    def import_row(self, row, instance_loader, **kwargs):
        # The widgets read the scope from the keyword arguments the library hands them.
        return super().import_row(row, instance_loader, scope=self.scope, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self.scope is not None and not may_write_row(self.scope, instance):
            raise ValidationError(_("您无权导入或修改该区域的数据。"))
        # A row and whatever its hooks write alongside it are saved together or not at all.
        with transaction.atomic():
            super().save_instance(instance, is_create, row, **kwargs)


# --- Reading registry files within bounds ----------------------------------------------------------
# A registry resource has about twenty columns; rows beyond REGISTRY_IMPORT_MAX_ROWS or wider than
# this are not a registry file.
REGISTRY_MAX_COLUMNS = 64


def _check_size(content) -> None:
    if len(content) > settings.REGISTRY_IMPORT_MAX_BYTES:
        raise SpreadsheetError(_("文件不能超过 %(size)s") % {"size": filesizeformat(settings.REGISTRY_IMPORT_MAX_BYTES)})


def _dataset(rows) -> tablib.Dataset:
    """A dataset from (row number, values) pairs: the first row holds the headers, blank rows are left out."""
    rows = iter(rows)
    header = [("" if value is None else str(value)).strip() for value in next(rows, [])]
    dataset = tablib.Dataset(headers=header)
    for values in rows:
        if any(value not in (None, "") for value in values):
            dataset.append((list(values) + [None] * len(header))[:len(header)])
    return dataset


class RegistryXLSX(base_formats.XLSX):
    """.xlsx registry files, read by common.xlsx: the first sheet's first REGISTRY_MAX_COLUMNS
    columns of the rows that have content, whatever the file's XML claims (openpyxl, which the
    library uses, pads every row to the width and height the file declares). Written by
    common.spreadsheets, where the library's writer would store a name such as "=HYPERLINK(…)" as a
    formula; numbers and dates stay numbers and dates."""

    def export_data(self, dataset, **kwargs):
        return table_workbook_bytes(dataset.title or "data", dataset.headers or [], dataset)

    def create_dataset(self, in_stream):
        _check_size(in_stream)
        try:
            check_xlsx_container(io.BytesIO(in_stream), max_uncompressed=settings.REGISTRY_IMPORT_MAX_UNCOMPRESSED_BYTES,
                                 max_entries=settings.MONTHLY_UPLOAD_MAX_ZIP_ENTRIES)
        except ValidationError as exc:
            raise SpreadsheetError(exc.messages[0]) from exc
        workbook = read_xlsx(io.BytesIO(in_stream), columns=REGISTRY_MAX_COLUMNS, allow_formulas=True,
                             max_rows=settings.REGISTRY_IMPORT_MAX_ROWS,
                             max_uncompressed=settings.REGISTRY_IMPORT_MAX_UNCOMPRESSED_BYTES)
        sheet = workbook.sheets.get(0)
        if sheet is not None and any(row.last_column > REGISTRY_MAX_COLUMNS for row in sheet.rows):
            raise SpreadsheetError(_("工作表列数过多（上限 %(limit)s 列），请删除多余的列") % {"limit": REGISTRY_MAX_COLUMNS})
        if sheet is None or not sheet.rows or sheet.rows[0].number != 1:
            raise SpreadsheetError(_("第一张工作表第1行应为表头，请使用本系统导出的文件"))
        return _dataset(row.values for row in sheet.rows)


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, the superset of the GBK that Excel on Chinese
    Windows saves CSV files in."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法读取该文件：请以 UTF-8 或 GBK 编码保存 CSV 文件后重新上传"))


class RegistryCSV(base_formats.CSV):
    """CSV registry files, with the same limits on size, rows and columns as .xlsx ones. Text that
    would run as a formula is written with common.spreadsheets' apostrophe, taken off on import."""

    def export_data(self, dataset, **kwargs):
        neutralised = tablib.Dataset(*([csv_cell(value) for value in row] for row in dataset),
                                     headers=[csv_cell(header) for header in dataset.headers or []] or None)
        return super().export_data(neutralised, **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        _check_size(in_stream)
        if isinstance(in_stream, bytes):
            in_stream = decode_csv(in_stream)
        rows = []
        try:
            for number, values in enumerate(csv.reader(io.StringIO(in_stream, newline="")), start=1):
                if number > settings.REGISTRY_IMPORT_MAX_ROWS:
                    raise SpreadsheetError(_("工作表行数过多（第 %(row)s 行有内容，上限 %(limit)s 行），请删除多余的行") % {
                        "row": number, "limit": settings.REGISTRY_IMPORT_MAX_ROWS})
                if len(values) > REGISTRY_MAX_COLUMNS:
                    raise SpreadsheetError(_("工作表列数过多（上限 %(limit)s 列），请删除多余的列") % {
                        "limit": REGISTRY_MAX_COLUMNS})
                rows.append([csv_cell_restored(value) for value in values])
        except csv.Error as exc:
            raise SpreadsheetError(_("无法读取该文件：CSV 格式有误（%(error)s）") % {"error": exc}) from exc
        return _dataset(rows)


# What the registry admins import and export. Other formats the library offers (JSON, YAML, ODS,
# HTML, TSV) would each need the same bounds and the same care for formulas; officers use Excel and CSV.
REGISTRY_IMPORT_FORMATS = REGISTRY_EXPORT_FORMATS = [RegistryCSV, RegistryXLSX]
