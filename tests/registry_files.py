"""Helpers for import/export tests: write a resource's rows to a file format and read them back."""
from django.db.models import Model, QuerySet

from common.resources import RegistryCSV, RegistryXLSX, natural_code_field

# What the registry admins read and write files with (common.admin.RegistryAdmin's formats).
FORMATS = IMPORT_FORMATS = {"csv": RegistryCSV, "xlsx": RegistryXLSX}


def export_file(resource, fmt: str, queryset: QuerySet | None = None):
    """The file content an officer would download (str for CSV, bytes for XLSX)."""
    return FORMATS[fmt]().export_data(resource.export(queryset))


def import_file(resource, content, fmt: str, *, dry_run: bool):
    """Import the way the admin does: all-or-nothing, every invalid row reported."""
    dataset = IMPORT_FORMATS[fmt]().create_dataset(content)
    return resource.import_data(dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True)


def row_errors(result) -> list[str]:
    """Every message of every invalid or failed row, for assertions."""
    messages = [str(message) for row in result.invalid_rows for messages in row.error_dict.values()
                for message in messages]
    messages += [str(error.error) for _, errors in result.row_errors() for error in errors]
    return messages


def row_values(queryset: QuerySet[Model], *, exclude: tuple[str, ...] = ()) -> list[tuple]:
    """The stored values of every row, without ids and timestamps that an import may renew."""
    skip = {"id", "created_at", "updated_at", *exclude}
    names = [_by_code(f) for f in queryset.model._meta.concrete_fields if f.name not in skip]
    return sorted(queryset.values_list(*names), key=repr)


def _by_code(field) -> str:
    # A reference is compared by the code it is written with, since a re-imported row gets a new id.
    code = natural_code_field(field.related_model) if field.is_relation else None
    return f"{field.name}__{code}" if code else field.attname
