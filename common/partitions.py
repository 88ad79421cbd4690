"""Yearly range partitions of the per-month tables on PostgreSQL (docs/deployment.md "按年分区").

At 500,000 compounds × 10 years the monthly records and the compound-month facts hold 60 million
rows each. Partitioned by `period`, one calendar year a partition, a query for a month reads one
year's table and indexes, a recompute's delete and insert touch one partition, and an old year can
be archived by detaching its partition instead of deleting millions of rows.

Every partitioned table also has a DEFAULT partition, so no row is ever refused for want of a
partition; `ensure_partitions` (monthly Celery beat entry, `manage.py ensure_partitions`, and the
migrations that partition the tables) creates the yearly partitions from the oldest data's year (the
campaign's first year while there is none) to next year, plus every year that has rows waiting in
the DEFAULT partition, which it moves in.

PostgreSQL requires a partitioned table's primary key and unique constraints to contain the
partition key: the database primary key is (id, period), while Django keeps `id` as the model's
pk. Ids still come from one identity sequence, so they stay unique; but no database foreign key
can point at these tables (there is no unique constraint on `id` alone).

On other databases (SQLite in development) nothing is partitioned and every function here is a no-op.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, migrations, transaction
from django.utils import timezone

PARTITION_KEY = "period"
# Tables with a row per compound (or per area and indicator) per month; their migrations partition them.
PARTITIONED_TABLES = ("reporting_monthlyrecord", "metrics_compoundmonthfact", "metrics_indicatorvalue")
YEAR_BOUND = re.compile(r"^FOR VALUES FROM \('(\d{4})-01-01'\) TO \('(\d{4})-01-01'\)$")


@dataclass(frozen=True)
class PartitionChange:
    table: str
    created_years: tuple[int, ...]
    moved_rows: int


def partitioning_supported(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


def ensure_partitions(*, years_ahead: int = 1, tables: tuple[str, ...] = PARTITIONED_TABLES,
                      using: str = DEFAULT_DB_ALIAS) -> list[PartitionChange]:
    """Create the missing yearly partitions of every partitioned table and move rows out of DEFAULT.

    Idempotent: when every partition exists it only reads the catalogue and the (empty) DEFAULT
    partition. Each table changes in its own transaction. Tables not (yet) partitioned are skipped.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    changes = []
    for table in tables:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if _is_partitioned(cursor, table):
                changes.append(_ensure_table(cursor, connection.ops.quote_name, table, years_ahead))
    return changes


def partition_tables_operation(*tables: str) -> migrations.RunPython:
    """The migration operation that partitions `tables` (and, reversed, makes them plain again).

    The models' state does not change: the primary key seen by Django stays `id`.
    """
    def forward(apps, schema_editor):
        for table in tables:
            partition_table(schema_editor.connection, table)

    def backward(apps, schema_editor):
        for table in tables:
            unpartition_table(schema_editor.connection, table)

    return migrations.RunPython(forward, backward)


def partition_table(connection, table: str) -> None:
    """Migration step: turn `table` into a yearly range-partitioned table, keeping its rows, ids,
    sequence position, constraints, indexes and grants."""
    if connection.vendor == "postgresql":
        _rebuild(connection, table, partitioned=True)


def unpartition_table(connection, table: str) -> None:
    """The reverse migration step: back to one plain table with its primary key on `id` alone."""
    if connection.vendor == "postgresql":
        _rebuild(connection, table, partitioned=False)


def first_year() -> int:
    """The campaign's first year: partitions start there while a table has no data."""
    return int(settings.METRICS_FIRST_PERIOD[:4])


def default_partition(table: str) -> str:
    return f"{table}_default"


def year_partition(table: str, year: int) -> str:
    return f"{table}_y{year}"


def _is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))", [table])
    return cursor.fetchone()[0]


def _year_partitions(cursor, table: str) -> set[int]:
    cursor.execute("SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = %s::regclass", [table])
    bounds = (YEAR_BOUND.match(bound) for (bound,) in cursor.fetchall())
    return {int(match[1]) for match in bounds if match and int(match[2]) == int(match[1]) + 1}


def _ensure_table(cursor, quote, table: str, years_ahead: int) -> PartitionChange:
    parent, default = quote(table), quote(default_partition(table))
    # Serialises concurrent runs; reads and writes of the table go on (they take weaker locks).
    cursor.execute(f"LOCK TABLE ONLY {parent} IN SHARE UPDATE EXCLUSIVE MODE")
    cursor.execute(f"SELECT EXTRACT(YEAR FROM MIN({quote(PARTITION_KEY)}))::int FROM {parent}")
    earliest = cursor.fetchone()[0]
    cursor.execute(f"SELECT DISTINCT EXTRACT(YEAR FROM {quote(PARTITION_KEY)})::int FROM {default}")
    waiting = {year for (year,) in cursor.fetchall()}
    this_year = timezone.localdate().year
    # From the oldest data, so a year archived by detaching its partition is not created again empty.
    start = first_year() if earliest is None else earliest
    missing = sorted(set(range(start, this_year + years_ahead + 1)) - _year_partitions(cursor, table) | waiting)
    moved = 0
    if missing:
        # New rows of a year being created must not slip into DEFAULT between the move and the attach.
        cursor.execute(f"LOCK TABLE {default} IN ACCESS EXCLUSIVE MODE")
    for year in missing:
        moved += _add_year(cursor, quote, table, year)
    return PartitionChange(table, tuple(missing), moved)


def _add_year(cursor, quote, table: str, year: int) -> int:
    """Create `year`'s partition as a plain table, move its rows from DEFAULT, attach it.

    A partition cannot be created while DEFAULT holds rows of its range; attaching a filled table
    after emptying DEFAULT's share of that range does it in one transaction without refusing any row.
    """
    parent, default, partition = quote(table), quote(default_partition(table)), quote(year_partition(table, year))
    key, columns = quote(PARTITION_KEY), ", ".join(quote(name) for name in _columns(cursor, table))
    low, high = f"{year:04d}-01-01", f"{year + 1:04d}-01-01"
    cursor.execute(f"CREATE TABLE {partition} (LIKE {parent} INCLUDING ALL EXCLUDING INDEXES EXCLUDING IDENTITY)")
    cursor.execute(f"WITH moved AS (DELETE FROM {default} WHERE {key} >= %s AND {key} < %s RETURNING {columns}) "
                   f"INSERT INTO {partition} ({columns}) SELECT {columns} FROM moved", [low, high])
    moved = cursor.rowcount
    cursor.execute(f"ALTER TABLE {parent} ATTACH PARTITION {partition} FOR VALUES FROM (%s) TO (%s)", [low, high])
    return moved


def _columns(cursor, table: str) -> list[str]:
    cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
                   "ORDER BY attnum", [table])
    return [name for (name,) in cursor.fetchall()]


@dataclass(frozen=True)
class _TableDefinition:
    """What a table has besides its columns and CHECK constraints (which CREATE TABLE ... LIKE copies)."""

    columns: list[str]
    primary_key: tuple[str, list[str]]
    constraints: list[tuple[str, str]]
    indexes: list[str]
    identity: str | None
    sequence_state: tuple[int, bool] | None
    grants: list[tuple[str, str]]


def _definition(cursor, table: str) -> _TableDefinition:
    cursor.execute("""
        SELECT c.conname, c.contype, pg_get_constraintdef(c.oid),
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n)
        FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u', 'f')
        ORDER BY c.contype DESC, c.conname
    """, [table])
    constraints = cursor.fetchall()
    primary_key = next((name, list(columns)) for name, kind, _, columns in constraints if kind == "p")
    cursor.execute("""
        SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)
        ORDER BY i.indexrelid
    """, [table])
    # An index of a partitioned table reads "ON ONLY"; created on the new table, it must cover every partition.
    indexes = [definition.replace(" ON ONLY ", " ON ", 1) for (definition,) in cursor.fetchall()]
    cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attidentity <> ''", [table])
    identity = next((name for (name,) in cursor.fetchall()), None)
    sequence_state = None
    if identity is not None:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, identity])
        cursor.execute(f"SELECT last_value, is_called FROM {cursor.fetchone()[0]}")
        sequence_state = cursor.fetchone()
    cursor.execute("""
        SELECT CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END, g.privilege_type
        FROM pg_class c, aclexplode(c.relacl) g WHERE c.oid = %s::regclass AND g.grantee <> c.relowner
    """, [table])
    return _TableDefinition(
        columns=_columns(cursor, table), primary_key=primary_key,
        constraints=[(name, definition) for name, kind, definition, _ in constraints if kind != "p"],
        indexes=indexes, identity=identity, sequence_state=sequence_state, grants=cursor.fetchall())


def _rebuild(connection, table: str, *, partitioned: bool) -> None:
    """Copy `table` into a new table, partitioned by year or plain, under the same names.

    The new table gets its indexes after the copy (one bulk build per partition instead of row by
    row). Runs inside the migration's transaction: a failure leaves the old table as it was.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if _is_partitioned(cursor, table) == partitioned:
            return
        definition = _definition(cursor, table)
        # Index builds after a bulk copy sort every row; at tens of millions of rows the default spills to disk.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        old, new, key = quote(f"{table}__old"), quote(table), quote(PARTITION_KEY)
        columns = ", ".join(quote(name) for name in definition.columns)
        cursor.execute(f"ALTER TABLE {new} RENAME TO {old}")
        cursor.execute(f"CREATE TABLE {new} (LIKE {old} INCLUDING ALL EXCLUDING INDEXES EXCLUDING IDENTITY)"
                       + (f" PARTITION BY RANGE ({key})" if partitioned else ""))
        if partitioned:
            cursor.execute(f"CREATE TABLE {quote(default_partition(table))} PARTITION OF {new} DEFAULT")
            # The campaign's years exist before the copy, so their rows go straight to their partitions.
            _ensure_table(cursor, quote, table, years_ahead=1)
        cursor.execute(f"INSERT INTO {new} ({columns}) SELECT {columns} FROM {old}")
        cursor.execute(f"DROP TABLE {old}")
        name, pk_columns = definition.primary_key
        pk_columns = [column for column in pk_columns if column != PARTITION_KEY] + ([PARTITION_KEY] if partitioned else [])
        cursor.execute(f"ALTER TABLE {new} ADD CONSTRAINT {quote(name)} PRIMARY KEY ({', '.join(map(quote, pk_columns))})")
        for name, constraint in definition.constraints:
            cursor.execute(f"ALTER TABLE {new} ADD CONSTRAINT {quote(name)} {constraint}")
        for index in definition.indexes:
            cursor.execute(index)
        if definition.identity is not None:
            cursor.execute(f"ALTER TABLE {new} ALTER COLUMN {quote(definition.identity)} "
                           f"ADD GENERATED BY DEFAULT AS IDENTITY")
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
                           [table, definition.identity, *definition.sequence_state])
        for grantee, privilege in definition.grants:
            cursor.execute(f"GRANT {privilege} ON {new} TO {grantee}")
        cursor.execute(f"ANALYZE {new}")
        if partitioned:
            # Rows of other years went to DEFAULT during the copy: give each such year its partition.
            _ensure_table(cursor, quote, table, years_ahead=1)
