"""PostgreSQL restarts while an officer's save is in the middle of its transaction.

The portal runs as deployed (gunicorn, DEBUG off) on a private cluster. The test holds a lock on
the report row so that a grid save and an API save both block inside their transactions, then
restarts the cluster: both answer 503 with Retry-After (our Chinese page; the API's JSON error),
nothing of either save is written, and once the cluster is back the same session reads and saves
again without the portal being restarted.
"""
import json
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from .conftest import wait_until

pytestmark = pytest.mark.postgres

PASSWORD = "测试密码-Quanzhou-2024"  # tests.factories.UserFactory's
SEED = """
import json
from accounts.models import ApiToken
from reporting.periods import parse_period
from reporting.services import monthly_records_save, monthly_report_get_or_create
from reporting.validation import RowInput
from tests.factories import CommunityFactory, CompoundFactory, DistrictFactory, StreetFactory, street_officer

street = StreetFactory(district=DistrictFactory())
community = CommunityFactory(street=street)
codes = [CompoundFactory(community=community).code for _ in range(2)]
officer = street_officer(street)
report = monthly_report_get_or_create(street=street, period=parse_period("2024-05"))
monthly_records_save(report=report, rows=[RowInput(code, {"petitions": "1"}) for code in codes], actor=officer,
                     expected_version=report.version, source="seed")
_, key = ApiToken.issue(user=officer, name="12345热线系统", can_write=True)
print(json.dumps({"street": street.code, "codes": codes, "report": report.pk, "officer": officer.username,
                  "token": key}))
"""


def stored(conn, report_id: int) -> dict:
    """Everything a save could have written: the report, its records and their history, the stale marks."""
    def rows(sql):
        return conn.execute(sql, {"report": report_id}).fetchall()

    return {
        "report": rows("SELECT version, state, updated_at FROM reporting_monthlyreport WHERE id = %(report)s"),
        "records": rows("SELECT compound_id, petitions, hotline_received, updated_at FROM reporting_monthlyrecord"
                        " WHERE report_id = %(report)s ORDER BY compound_id"),
        "record_history": rows("SELECT count(*) FROM reporting_historicalmonthlyrecord"),
        "report_history": rows("SELECT count(*) FROM reporting_historicalmonthlyreport"),
        "stale": rows("SELECT count(*) FROM metrics_stalestreetmonth"),
    }


def logged_in(portal, username: str) -> requests.Session:
    session = requests.Session()
    session.get(portal.url("/accounts/login/"), timeout=10)
    response = session.post(portal.url("/accounts/login/"), allow_redirects=False, timeout=10, data={
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert response.status_code == 302, response.text
    return session


def test_a_save_cut_off_by_a_postgresql_restart_answers_503_and_writes_nothing(private_postgres, private_portal):
    seed = json.loads(private_portal.manage("shell", "-c", SEED).strip().splitlines()[-1])
    report_id, (first, second) = seed["report"], seed["codes"]
    grid = private_portal.url(f"/reports/{seed['street']}/2024-05/grid/")
    api = private_portal.url(f"/api/v1/monthly-reports/{report_id}/")
    officer = logged_in(private_portal, seed["officer"])
    hotline = requests.Session()
    hotline.headers["Authorization"] = f"Token {seed['token']}"
    db = dict(host="127.0.0.1", port=private_postgres.port, user="postgres", dbname="qz_fault_portal")

    def grid_save(version: int):
        return officer.post(grid, allow_redirects=False, timeout=30, data={
            "version": version, "csrfmiddlewaretoken": officer.cookies["csrftoken"],
            f"{first}__petitions": "7", f"{second}__petitions": "8"})

    def api_save(version: int):
        return hotline.patch(api, timeout=30, json={
            "version": version, "records": [{"compound": first, "petitions": 7, "hotline_received": 3}]})

    with psycopg.connect(**db, autocommit=True) as conn:
        before = stored(conn, report_id)
    version = before["report"][0][0]

    holder = psycopg.connect(**db)
    watcher = psycopg.connect(**db, autocommit=True)
    try:
        holder.execute("SELECT id FROM reporting_monthlyreport WHERE id = %s FOR UPDATE", [report_id])
        with ThreadPoolExecutor(max_workers=2) as pool:
            page_save, feed_save = pool.submit(grid_save, version), pool.submit(api_save, version)

            def both_saves_wait_on_the_lock() -> bool:
                return watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = 'qz_fault_portal'"
                                       " AND wait_event_type = 'Lock'").fetchone()[0] == 2

            wait_until(both_saves_wait_on_the_lock, 20, "both saves to block inside their transactions")
            private_postgres.restart()
            page, feed = page_save.result(timeout=30), feed_save.result(timeout=30)
    finally:
        holder.close()
        watcher.close()

    assert page.status_code == 503, private_portal.log()[-3000:]
    assert page.headers["Retry-After"] == "30"
    assert "数据库暂时不可用" in page.text and "没有保存" in page.text
    assert "Traceback" not in page.text and "Server Error (500)" not in page.text
    assert feed.status_code == 503
    assert feed.headers["Retry-After"] == "30"
    assert feed.json()["code"] == "database_unavailable"

    with psycopg.connect(**db, autocommit=True) as conn:
        assert stored(conn, report_id) == before, "no half-written report"

    # The same workers reconnect: pages, readiness and a retried save all work again.
    for _ in range(4):
        assert officer.get(grid, timeout=10).status_code == 200
    assert requests.get(private_portal.url("/readyz"), timeout=10).status_code == 200
    retried = grid_save(version)
    assert retried.status_code == 302, retried.text[:2000]
    assert api_save(version + 1).status_code == 200
    with psycopg.connect(**db, autocommit=True) as conn:
        after = stored(conn, report_id)
    assert after["report"][0][0] == version + 2
    assert [(petitions, hotline) for _, petitions, hotline, _ in after["records"]] == [(7, 3), (8, 0)]
