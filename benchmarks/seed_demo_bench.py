"""Time `manage.py seed_demo` on PostgreSQL, into a freshly created database.

    .venv/bin/python benchmarks/seed_demo_bench.py --compounds 100000
    .venv/bin/python benchmarks/seed_demo_bench.py --compounds 500000 --months 3

The database (default qz_seed_bench) is dropped and created again, migrated, then seeded; the
script prints the wall time of the seeding alone and the size of the biggest tables.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("communities_compound", "communities_servicecontract", "committees_ownerscommittee",
          "committees_committeemember", "committees_partyorganisationcompound", "reporting_monthlyrecord")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="qz_seed_bench")
    parser.add_argument("--compounds", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=None)
    parser.add_argument("--no-monthly", action="store_true")
    args = parser.parse_args()

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    url = f"{args.server}/{args.database}"
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)

    command = [*manage, "seed_demo", "--compounds", str(args.compounds), "--no-indicators"]
    if args.months is not None:
        command += ["--months", str(args.months)]
    if args.no_monthly:
        command.append("--no-monthly")
    started = time.monotonic()
    subprocess.run(command, env=env, check=True)
    elapsed = time.monotonic() - started

    with psycopg.connect(url) as conn:
        sizes = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        db_size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    print(f"\nseed_demo {' '.join(command[3:])}: {elapsed:.1f} s wall time on PostgreSQL ({args.database}, {db_size})")
    for table, rows in sizes.items():
        print(f"  {table:<40}{rows:>12,}")


if __name__ == "__main__":
    main()
