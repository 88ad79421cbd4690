"""schemathesis against the portal as deployed: gunicorn on PostgreSQL, over HTTP, with a street officer's
write token, every check schemathesis has (`--checks all`), a fixed seed and a fixed budget.

What the run may not find: a server error, a response its schema does not describe (status, content
type, headers, body), a request the schema calls invalid that the API accepts, or one the schema calls
valid that the API refuses. The write operations take bodies whose rules JSON Schema cannot say (a
compound code must exist in the caller's area, hotline cases resolved cannot exceed those received,
...): for them alone a 400 answers a schema-valid body too, and for the run of months, whose months must
be in order, due and at most ten years apart. Their path ids and codes are drawn, half the
time, from the officer's own reports, records and compounds, so the writes reach the services.

The CLI runs as a user would run it; the command, its case count and its summary are printed.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from accounts.models import ApiToken, Role, User
from communities.models import Compound
from reporting.models import MonthlyRecord, MonthlyReport
from tests.live_portal import Portal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SEED = 20261203
# Per operation and phase: with 38 operations, about 3,700 cases in two to three minutes. A deeper run
# on one's own machine: SCHEMATHESIS_MAX_EXAMPLES=200.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", 25))
MIN_CASES = 3000
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")

# Operations whose bodies or parameters carry rules beyond their schema (see the module's docstring).
BODY_RULE_OPERATIONS = [
    "POST /api/v1/monthly-reports/",
    "PATCH /api/v1/monthly-reports/{id}/",
    "POST /api/v1/monthly-records/",
    "PATCH /api/v1/monthly-records/{id}/",
    "POST /api/v1/monthly-reports/{id}/return/",
    "POST /api/v1/monthly-reports/{id}/reopen/",
    # A run of months: from no later than to, at most MAX_RUN_MONTHS, reports due, a level unless one area.
    "GET /api/v1/indicator-values/runs/",
]


@pytest.fixture
def portal(require_postgres, transactional_db, tmp_path):
    db = connection.settings_dict
    live = Portal(tmp_path, f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                  # Thousands of requests a minute from one token: the rate limit is not what is tested.
                  API_THROTTLE_TOKEN="1000000/min")
    live.serve()
    try:
        live.wait_until_serving()
        yield live
    finally:
        live.stop()


def officer_token() -> tuple[User, str]:
    """A write token of the officer of the street with the most compounds."""
    busiest = (Compound.objects.values("community__street").annotate(compounds=Count("pk"))
               .order_by("-compounds", "community__street").first())
    officer = User.objects.filter(role=Role.STREET_OFFICER, street=busiest["community__street"]).first()
    _, key = ApiToken.issue(user=officer, name="schemathesis", can_write=True)
    return officer, key


def toml_list(values) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def config_file(directory: Path, officer: User) -> Path:
    """schemathesis.toml: the officer's own ids and codes as dictionaries, bound to the write operations."""
    street = officer.street
    reports = list(MonthlyReport.objects.filter(street=street).values_list("pk", flat=True))
    records = list(MonthlyRecord.objects.filter(report__street=street).values_list("pk", flat=True)[:50])
    compounds = list(Compound.objects.filter(community__street=street).values_list("code", flat=True))
    assert reports and records and compounds, "the demo data gives the officer reports, records and compounds"
    lines = [
        f"hooks = {json.dumps(str(HOOKS))}",
        "",
        "[dictionaries]",
        f"reports = {{ values = {toml_list(reports)} }}",
        f"records = {{ values = {toml_list(records)} }}",
        f"compounds = {{ values = {toml_list(compounds)} }}",
        f"streets = {{ values = {toml_list([street.code])} }}",
        "",
    ]
    bindings = {
        "/api/v1/monthly-reports/{id}/": '"path.id" = { dictionary = "reports", probability = 0.5 }',
        "/api/v1/monthly-records/{id}/": '"path.id" = { dictionary = "records", probability = 0.5 }',
        "/api/v1/compounds/{code}/": '"path.code" = { dictionary = "compounds", probability = 0.5 }',
    }
    for action in ("submit", "approve", "return", "lock", "reopen"):
        bindings[f"/api/v1/monthly-reports/{{id}}/{action}/"] = bindings["/api/v1/monthly-reports/{id}/"]
    for path, binding in bindings.items():
        lines += ["[[operations]]", f'include-path = "{path}"', f"parameters = {{ {binding} }}", ""]
    lines += [
        "[[operations]]",
        'include-name = "POST /api/v1/monthly-reports/"',
        'parameters = { "body.street" = { dictionary = "streets", probability = 0.5 }, '
        '"body.records[*].compound" = { dictionary = "compounds", probability = 0.5 } }',
        "",
        "[[operations]]",
        'include-name = "POST /api/v1/monthly-records/"',
        'parameters = { "body.compound" = { dictionary = "compounds", probability = 0.5 } }',
        "",
        "[[operations]]",
        'include-name = "PATCH /api/v1/monthly-reports/{id}/"',
        'parameters = { "body.records[*].compound" = { dictionary = "compounds", probability = 0.5 } }',
        "",
        "[[operations]]",
        f"include-name = {toml_list(BODY_RULE_OPERATIONS)}",
        'checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]',
        "",
    ]
    path = directory / "schemathesis.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_the_live_api_answers_thousands_of_generated_requests_as_its_schema_says(portal, tmp_path):
    call_command("seed_demo", compounds=40, months=4, stdout=io.StringIO())
    officer, key = officer_token()
    command = [SCHEMATHESIS, "--config-file", str(config_file(tmp_path, officer)), "run", portal.url("/api/schema/"),
               "--checks", "all", "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
               "--header", f"Authorization: Token {key}", "--request-timeout", "30", "--no-color"]
    assert shutil.which(SCHEMATHESIS), "schemathesis is in requirements-dev.txt"
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=max(900, 40 * MAX_EXAMPLES), cwd=tmp_path)
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    summary = output[output.rfind("=== SUMMARY"):] if "=== SUMMARY" in output else output[-4000:]
    shown = " ".join(part if not part.startswith("Authorization") else "Authorization: Token …" for part in command)
    print(f"\n{shown}\n{summary}\n({elapsed:.0f} s)")
    cases = re.search(r"(\d+) generated", output)

    failures = output[output.find("=== FAILURES"):output.find("=== WARNINGS")]
    assert done.returncode == 0, f"schemathesis found failures:\n{failures[:30000]}\n{summary}"
    assert cases and int(cases[1]) >= MIN_CASES, summary
    assert "Traceback" not in portal.log(), portal.log()[-8000:]
