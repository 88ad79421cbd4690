"""The street's registry as one .xlsx file: downloaded, edited in Excel, uploaded back with a
preview, all or nothing (like the monthly upload).

The file is the CompoundResource's sheet of the street's compounds; its import goes through the
same resource (and so the same services) as the admin's, with the importing user's area scope.
Messages name the file's row and column header, never a model attribute or a constraint.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from import_export.formats import base_formats

from accounts.scope import AreaScope
from common.resources import RegistryCSV, RegistryXLSX
from common.xlsx import SpreadsheetError

from .resources import CompoundResource
from .selectors import street_compounds

READERS = {"xlsx": RegistryXLSX, "csv": RegistryCSV}


def street_registry_xlsx(street) -> bytes:
    dataset = CompoundResource().export(street_compounds(street).order_by("code"))
    return base_formats.XLSX().export_data(dataset)


@dataclass
class RegistryImport:
    """What an upload would do (preview) or did: counts by kind and every error, in the officer's words."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _column_names(resource) -> dict[str, str]:
    return {name: str(f.column_name) for name, f in resource.fields.items()} | {
        f.attribute: str(f.column_name) for f in resource.fields.values() if f.attribute}


def _outcome(result, resource) -> RegistryImport:
    columns = _column_names(resource)
    outcome = RegistryImport()
    for error in result.base_errors:
        outcome.errors.append(str(error.error))
    # The file's row: its data rows start under the header, on row 2.
    for row in result.invalid_rows:
        for name, messages in row.error_dict.items():
            where = _("第 %(row)s 行") % {"row": row.number + 1}
            if name != "__all__":
                where += _("「%(column)s」") % {"column": columns.get(name, name)}
            outcome.errors.extend(f"{where}：{message}" for message in messages)
    for number, errors in result.row_errors():
        outcome.errors.extend(_("第 %(row)s 行：%(message)s") % {"row": number + 1, "message": error.error}
                              for error in errors)
    for row in result.rows:
        kind = row.import_type
        if kind == "new":
            outcome.new += 1
        elif kind == "update":
            outcome.updated += 1
        elif kind == "skip":
            outcome.unchanged += 1
        if kind in ("new", "update") and row.object_repr:
            outcome.changes.append(("新增" if kind == "new" else "修改") + "：" + row.object_repr)
    return outcome


def registry_import(*, content: bytes, fmt: str, scope: AreaScope, dry_run: bool) -> RegistryImport:
    """Read and import the street's registry file; with `dry_run`, only say what it would do.
    Nothing is saved unless every row is valid."""
    try:
        dataset = READERS[fmt]().create_dataset(content)
    except SpreadsheetError as exc:
        return RegistryImport(errors=[str(exc)])
    resource = CompoundResource(scope=scope)
    missing = [str(f.column_name) for f in resource.get_import_fields()
               if f.column_name not in dataset.headers and f.column_name in _required_columns(resource)]
    if missing:
        return RegistryImport(errors=[_("缺少列：%(columns)s。请使用本页下载的登记表。") % {"columns": "、".join(missing)}])
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True,
                                      rollback_on_validation_errors=True, raise_errors=False)
    return _outcome(result, resource)


def _required_columns(resource) -> set[str]:
    return {str(resource.fields[name].column_name) for name in resource._meta.import_id_fields}
