#!/usr/bin/env bash
# Backup and restore drill: dump the database named by DATABASE_URL, restore it into a fresh
# database, recompute the indicators there and show that every stored value is identical.
#   DATABASE_URL=postgres://user@host:5432/quanzhou_pm scripts/backup_restore_drill.sh
# Optional: DRILL_KEEP=1 keeps the restored database and the dump; DRILL_DIR sets where the dump goes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"

: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to drill}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "DATABASE_URL must be PostgreSQL" >&2; exit 2;; esac
SOURCE_URL="${DATABASE_URL%%\?*}"
SOURCE_DB="${SOURCE_URL##*/}"
RESTORE_DB="${SOURCE_DB}_drill_$(date +%Y%m%d%H%M%S)"
RESTORE_URL="${SOURCE_URL%/*}/${RESTORE_DB}"
ADMIN_URL="${SOURCE_URL%/*}/postgres"
DRILL_DIR="${DRILL_DIR:-$(mktemp -d)}"
DUMP="$DRILL_DIR/${SOURCE_DB}.dump"

# One line per stored value, in a fixed order: what the comparison is made of.
VALUES_SQL="SELECT indicator_id, area_level, area_code, period, numerator, denominator, coalesce(value::text, '-')
            FROM metrics_indicatorvalue ORDER BY indicator_id, area_level, area_code, period"
values() { psql "$1" -X -q -A -t -F '|' -c "$VALUES_SQL"; }

cleanup() {
    if [ "${DRILL_KEEP:-0}" != "1" ]; then
        psql "$ADMIN_URL" -X -q -c "DROP DATABASE IF EXISTS \"$RESTORE_DB\"" >/dev/null 2>&1 || true
        rm -f "$DUMP"
    fi
}
trap cleanup EXIT

echo "1/5 dump $SOURCE_DB → $DUMP"
pg_dump --format=custom --no-owner --file="$DUMP" "$SOURCE_URL"
values "$SOURCE_URL" > "$DRILL_DIR/source.txt"
FIRST=$(cut -d'|' -f4 "$DRILL_DIR/source.txt" | sort | head -1 | cut -c1-7)
LAST=$(cut -d'|' -f4 "$DRILL_DIR/source.txt" | sort | tail -1 | cut -c1-7)
if [ -z "$FIRST" ]; then echo "no indicator values in $SOURCE_DB: nothing to compare" >&2; exit 1; fi

echo "2/5 restore into fresh database $RESTORE_DB"
psql "$ADMIN_URL" -X -q -c "CREATE DATABASE \"$RESTORE_DB\"" >/dev/null
pg_restore --no-owner --exit-on-error --dbname="$RESTORE_URL" "$DUMP"

# Everything the engine derives goes, not only the values: it writes only what differs from its
# stored sums, so values wiped beside unchanged sums would never be written again.
echo "3/5 wipe the restored indicator values, sums and facts and recompute $FIRST … $LAST there"
psql "$RESTORE_URL" -X -q -c "TRUNCATE metrics_indicatorvalue, metrics_areamonthsums, metrics_areamonthrecency,
                                       metrics_compoundmonthfact" >/dev/null
DATABASE_URL="$RESTORE_URL" "$PYTHON" manage.py recompute_indicators --from "$FIRST" --to "$LAST" -v 0

echo "4/5 compare numerator, denominator and value of every key"
values "$RESTORE_URL" > "$DRILL_DIR/restored.txt"
SOURCE_SUM=$(sha256sum < "$DRILL_DIR/source.txt" | cut -d' ' -f1)
RESTORED_SUM=$(sha256sum < "$DRILL_DIR/restored.txt" | cut -d' ' -f1)
echo "   source:   $(wc -l < "$DRILL_DIR/source.txt") values, sha256 $SOURCE_SUM"
echo "   restored: $(wc -l < "$DRILL_DIR/restored.txt") values, sha256 $RESTORED_SUM"

if [ "$SOURCE_SUM" != "$RESTORED_SUM" ]; then
    echo "5/5 DRILL FAILED: indicator values differ (first differences below)" >&2
    diff "$DRILL_DIR/source.txt" "$DRILL_DIR/restored.txt" | head -20 >&2 || true
    exit 1
fi
echo "5/5 drill passed: the restored database recomputes identical indicators"
