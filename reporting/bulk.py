"""Audited bulk writes of monthly records: every written row gets its history row, same user and reason.

Rows are dicts of column values (attname → value), so a 5,000-row import builds no model instances.
On PostgreSQL each table is written with one statement over column arrays (INSERT ... SELECT FROM
unnest, UPDATE ... FROM unnest): the import must take well under 3 s, and Django's bulk_create and
bulk_update spend most of that preparing values one by one (bulk_update's CASE expressions grow with
the batch). Other databases go through simple_history's bulk helpers, which write the same rows.
"""
from __future__ import annotations

import json

from django.db import connection
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import MonthlyRecord

BATCH_SIZE = 1000


def create_with_history(rows: list[dict], *, user, reason: str, at) -> None:
    if not rows:
        return
    for row in rows:
        row["created_at"] = row["updated_at"] = at
    if connection.vendor != "postgresql":
        bulk_create_with_history([MonthlyRecord(**row) for row in rows], MonthlyRecord, batch_size=BATCH_SIZE,
                                 default_user=user, default_change_reason=reason, default_date=at)
        return
    pk = MonthlyRecord._meta.pk
    fields = [f for f in MonthlyRecord._meta.concrete_fields if f is not pk]
    ids = _execute(f"INSERT INTO {_table(MonthlyRecord)} ({_columns(fields)}) SELECT * FROM unnest({_arrays(fields)}) "
                   f"RETURNING {pk.column}", _values(fields, rows), returning=True)
    for row, row_id in zip(rows, ids):
        row[pk.attname] = row_id
    _insert_history(rows, "+", user, reason, at)


def update_with_history(rows: list[dict], field_names: list[str], *, user, reason: str, at) -> None:
    """`rows` hold every column of the record (its new state); `field_names` are written."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        bulk_update_with_history([MonthlyRecord(**row) for row in rows], MonthlyRecord, fields=field_names,
                                 batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason, default_date=at)
        return
    pk = MonthlyRecord._meta.pk
    fields = [pk, *(MonthlyRecord._meta.get_field(name) for name in field_names)]
    assignments = ", ".join(f"{_quote(f.column)} = v.{_quote(f.column)}" for f in fields[1:])
    _execute(f"UPDATE {_table(MonthlyRecord)} AS t SET {assignments} FROM unnest({_arrays(fields)}) "
             f"AS v({_columns(fields)}) WHERE t.{_quote(pk.column)} = v.{_quote(pk.column)}", _values(fields, rows))
    _insert_history(rows, "~", user, reason, at)


def _insert_history(rows: list[dict], history_type: str, user, reason: str, at) -> None:
    history_model = MonthlyRecord.history.model
    fields = [f for f in history_model._meta.concrete_fields if f is not history_model._meta.pk]
    constants = {"history_date": at, "history_change_reason": reason, "history_type": history_type,
                 "history_user_id": user.pk if user is not None else None}
    columns = [[constants[f.attname]] * len(rows) if f.attname in constants else _column(f, rows) for f in fields]
    _execute(f"INSERT INTO {_table(history_model)} ({_columns(fields)}) SELECT * FROM unnest({_arrays(fields)})", columns)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _quote(model._meta.db_table)


def _columns(fields) -> str:
    return ", ".join(_quote(f.column) for f in fields)


def _arrays(fields) -> str:
    return ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)


def _column(field, rows: list[dict]) -> list:
    # JSON is the one type that goes into the array as text.
    if field.get_internal_type() == "JSONField":
        return [json.dumps(row[field.attname]) for row in rows]
    return [row[field.attname] for row in rows]


def _values(fields, rows: list[dict]) -> list[list]:
    return [_column(f, rows) for f in fields]


def _execute(sql: str, columns: list[list], *, returning: bool = False):
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        return [row[0] for row in cursor.fetchall()] if returning else None
