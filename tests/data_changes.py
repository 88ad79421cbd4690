"""Did a request change the data? A fingerprint of every table it wrote to, taken before and after.

The tables are found by watching the SQL the connection runs: before the first INSERT, UPDATE or
DELETE on a table, its rows are read and hashed; after the request they are hashed again. A write
that a view rolled back, or an UPDATE that matched nothing, leaves the fingerprint as it was. Only
tables something wrote to are read, so a request that writes nothing costs nothing extra.
"""
from __future__ import annotations

import hashlib
import re

from django.db import connection

WRITE = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)

# Bookkeeping of signing in and of being seen, not the portal's data: a session, when a token or
# an account was last used.
IGNORED_TABLES = {"django_session"}
IGNORED_COLUMNS = {"accounts_apitoken": {"last_used_at"}, "accounts_user": {"last_login"}}


class DataChanges:
    """Use as `with DataChanges() as changes: ...`, then `changes.tables` names the tables that differ."""

    _known_tables: set[str] | None = None

    def __init__(self):
        self.before: dict[str, str] = {}
        self.tables: list[str] = []
        self._reading = False

    def __enter__(self):
        if DataChanges._known_tables is None:
            DataChanges._known_tables = set(connection.introspection.table_names())
        self._wrapper = connection.execute_wrapper(self._watch)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc_info):
        self._wrapper.__exit__(*exc_info)
        self.tables = sorted(table for table, print_ in self.before.items() if self._fingerprint(table) != print_)

    def _watch(self, execute, sql, params, many, context):
        if not self._reading:
            for table in WRITE.findall(sql):
                if table in self._known_tables and table not in IGNORED_TABLES and table not in self.before:
                    self.before[table] = self._fingerprint(table)
        return execute(sql, params, many, context)

    def _fingerprint(self, table: str) -> str:
        self._reading = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                ignored = IGNORED_COLUMNS.get(table, set())
                keep = [index for index, column in enumerate(cursor.description) if column[0] not in ignored]
                rows = sorted(repr([row[index] for index in keep]) for row in cursor.fetchall())
        finally:
            self._reading = False
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()
