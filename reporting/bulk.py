"""Audited bulk writes of monthly records: every written row gets its history row, same user and reason.

Rows are dicts of column values (attname → value), so a 5,000-row import builds no model instances.
On PostgreSQL rows travel by COPY (updates through a temporary table): the import must take well
under 3 s, and Django's bulk_create and bulk_update spend most of that preparing values one by one
(bulk_update's CASE expressions grow with the batch). Other databases go through simple_history's
bulk helpers, which write the same rows.
"""
from __future__ import annotations

import json

from django.db import connection
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import MonthlyRecord
from .validation import named_only

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
    _copy(MonthlyRecord._meta.db_table, [f for f in MonthlyRecord._meta.concrete_fields if f is not pk], rows)
    # COPY returns no ids: read them back by the (report, compound) each row was written for.
    written = MonthlyRecord.objects.filter(report_id=rows[0]["report_id"], period=rows[0]["period"])
    ids = dict(named_only(written, "compound_id", {row["compound_id"] for row in rows})
               .values_list("compound_id", pk.attname))
    for row in rows:
        row[pk.attname] = ids[row["compound_id"]]
    _insert_history(rows, "+", user, reason, at)


def update_with_history(rows: list[dict], field_names: list[str], *, user, reason: str, at) -> None:
    """`rows` hold every column of the record (its new state); `field_names` are written."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        bulk_update_with_history([MonthlyRecord(**row) for row in rows], MonthlyRecord, fields=field_names,
                                 batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason, default_date=at)
        return
    # Matched on the period as well as the id: the table is partitioned by period (common/partitions.py),
    # so the update reads only the rows' own partitions, through their primary key (id, period).
    keys = [MonthlyRecord._meta.pk, MonthlyRecord._meta.get_field("period")]
    fields = [*keys, *(MonthlyRecord._meta.get_field(name) for name in field_names if name != "period")]
    table, staging = _table(MonthlyRecord), "reporting_monthlyrecord_staging"
    assignments = ", ".join(f"{_quote(f.column)} = s.{_quote(f.column)}" for f in fields[len(keys):])
    matches = " AND ".join(f"t.{_quote(f.column)} = s.{_quote(f.column)}" for f in keys)
    periods = sorted({row["period"] for row in rows})
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {_columns(fields)} FROM {table} WITH NO DATA")
        _copy(staging, fields, rows)
        cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM {staging} AS s "
                       f"WHERE {matches} AND t.{_quote(keys[1].column)} = ANY(%s)", [periods])
        cursor.execute(f"DROP TABLE {staging}")
    _insert_history(rows, "~", user, reason, at)


def _insert_history(rows: list[dict], history_type: str, user, reason: str, at) -> None:
    history_model = MonthlyRecord.history.model
    fields = [f for f in history_model._meta.concrete_fields if f is not history_model._meta.pk]
    constants = {"history_date": at, "history_change_reason": reason, "history_type": history_type,
                 "history_user_id": user.pk if user is not None else None}
    _copy(history_model._meta.db_table, fields, [{**row, **constants} for row in rows])


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _quote(model._meta.db_table)


def _columns(fields) -> str:
    return ", ".join(_quote(f.column) for f in fields)


def _copy(table: str, fields, rows: list[dict]) -> None:
    # JSON is the one type that goes in as text.
    json_columns = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    names = [f.attname for f in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {_quote(table)} ({_columns(fields)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name]) if name in json_columns else row[name] for name in names])
