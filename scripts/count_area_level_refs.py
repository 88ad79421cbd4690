#!/usr/bin/env python3
"""Count the places outside the districts app that name an area level or a parent field.

Issue 15 measures how far the four area tables (City, District, Street, Community) have spread:
a place is a source line (Python or template) that names a level ("city", "district", "street",
"community" as a string, or AreaLevel.X), one of the four models, or a parent field
(street__district, community__street, ...). Each line counts once.

    scripts/count_area_level_refs.py            # the total, and the count per app
    scripts/count_area_level_refs.py --list     # every counted line
    scripts/count_area_level_refs.py --tests    # tests and benchmarks too

Migrations are history and are never counted; nor is the districts app, which owns the tree.
"""
import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = "city|district|street|community"
PATTERNS = {
    "level": re.compile(rf"""["']({LEVELS})["']|\bAreaLevel\.[A-Z]+"""),
    "model": re.compile(r"\b(City|District|Street|Community)\b"),
    # Two levels chained in a lookup or path: community__street, street__district__city, ...
    "parent field": re.compile(rf"\b({LEVELS})__({LEVELS})\b"),
}
SKIPPED_DIRS = {".venv", ".git", "node_modules", "static", "migrations", "districts", "__pycache__", "docs"}
TEST_DIRS = {"tests", "benchmarks"}


def counted_files(with_tests: bool):
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        parts = set(relative.parts[:-1])
        if path.suffix not in {".py", ".html"} or parts & SKIPPED_DIRS or relative.parts[0] == "scripts":
            continue
        if not with_tests and (parts & TEST_DIRS or path.name.startswith("test_") or path.name == "conftest.py"):
            continue
        yield relative


def places(relative: Path):
    for number, line in enumerate((ROOT / relative).read_text(encoding="utf-8").splitlines(), 1):
        kinds = [kind for kind, pattern in PATTERNS.items() if pattern.search(line)]
        if kinds:
            yield number, line.strip(), kinds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every counted line")
    parser.add_argument("--tests", action="store_true", help="count tests and benchmarks too")
    options = parser.parse_args(argv)
    per_app, per_kind, total = Counter(), Counter(), 0
    for relative in counted_files(options.tests):
        for number, line, kinds in places(relative):
            total += 1
            per_app[relative.parts[0]] += 1
            per_kind.update(kinds)
            if options.list:
                print(f"{relative}:{number}: [{', '.join(kinds)}] {line}")
    print(f"places naming an area level or parent field outside districts/: {total}")
    print("  by kind (a line may name several): " + ", ".join(f"{k} {n}" for k, n in per_kind.most_common()))
    print("  by app: " + ", ".join(f"{app} {n}" for app, n in per_app.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
