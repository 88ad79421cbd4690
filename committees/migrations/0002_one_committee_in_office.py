"""At most one committee of a compound in office at any time, enforced by the database.

A committee is in office from term_start to term_end inclusive, cut short by dissolved_on.
PostgreSQL: an exclusion constraint over that date range. SQLite: triggers that abort on overlap.
"""
from django.db import migrations

IN_OFFICE_RANGE_PG = (
    "daterange(term_start, LEAST(term_end + 1, COALESCE(dissolved_on, term_end + 1)), '[)')"
)
PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE committees_ownerscommittee ADD CONSTRAINT committee_one_in_office
        EXCLUDE USING gist (compound_id WITH =, {IN_OFFICE_RANGE_PG} WITH &&)
        WHERE (term_start IS NOT NULL)""",
]
PG_BACKWARD = ["ALTER TABLE committees_ownerscommittee DROP CONSTRAINT IF EXISTS committee_one_in_office"]

# SQLite compares ISO dates as text; date(x, '+1 day') gives the exclusive end of a term.
_SQLITE_OVERLAP = """
    SELECT RAISE(ABORT, 'committee_one_in_office: overlapping committee terms')
    WHERE NEW.term_start IS NOT NULL AND EXISTS (
        SELECT 1 FROM committees_ownerscommittee o
        WHERE o.compound_id = NEW.compound_id AND o.id IS NOT NEW.id AND o.term_start IS NOT NULL
          AND o.term_start < MIN(date(NEW.term_end, '+1 day'), COALESCE(NEW.dissolved_on, date(NEW.term_end, '+1 day')))
          AND NEW.term_start < MIN(date(o.term_end, '+1 day'), COALESCE(o.dissolved_on, date(o.term_end, '+1 day')))
    );
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER committee_one_in_office_insert BEFORE INSERT ON committees_ownerscommittee BEGIN {_SQLITE_OVERLAP} END",
    f"CREATE TRIGGER committee_one_in_office_update BEFORE UPDATE ON committees_ownerscommittee BEGIN {_SQLITE_OVERLAP} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS committee_one_in_office_insert",
    "DROP TRIGGER IF EXISTS committee_one_in_office_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("committees", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
