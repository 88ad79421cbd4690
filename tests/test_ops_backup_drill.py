"""The backup and restore drill (scripts/backup_restore_drill.sh) on a small seeded PostgreSQL database."""
import datetime
import os
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from metrics.models import IndicatorValue
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_get_or_create,
    monthly_report_submit,
)
from reporting.validation import RowInput
from tests.factories import CompoundFactory, district_staff, street_officer

ROOT = Path(__file__).resolve().parent.parent
PERIOD = datetime.date(2024, 5, 1)


@pytest.mark.django_db(transaction=True)
def test_the_drill_restores_a_dump_and_recomputes_identical_indicators(require_postgres, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    compound = CompoundFactory()
    street = compound.community.street
    report = monthly_report_get_or_create(street=street, period=PERIOD)
    monthly_records_save(report=report, rows=[RowInput(compound.code, {"petitions": 2, "hotline_received": 3}, 2)],
                         actor=street_officer(street), expected_version=report.version, source="test")
    report.refresh_from_db()
    monthly_report_submit(report=report, actor=street_officer(street))
    report.refresh_from_db()
    monthly_report_approve(report=report, actor=district_staff(street.district))
    call_command("recompute_indicators", "--period", "2024-05", verbosity=0)
    assert IndicatorValue.objects.exists()

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    result = subprocess.run(["bash", "scripts/backup_restore_drill.sh"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url, "DRILL_DIR": str(tmp_path)}, timeout=600)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "drill passed" in result.stdout
