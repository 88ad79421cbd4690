"""Private services for fault tests: a Redis and a PostgreSQL cluster that a test may stop and
restart without touching the shared ones other tests use.

Each lives in its own temporary directory on a free port and is killed at teardown. Locally a
missing binary skips the test; under CI=true it fails it (conftest.require_service).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import require_service
from tests.live_portal import Portal, free_port, wait_until

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class PrivateRedis:
    """redis-server on a free port with no persistence: stop() loses nothing the portal needs."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        log = open(self.directory / "redis.log", "ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until(lambda: port_open(self.port), 10, "the private Redis")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def private_redis():
    require_service(shutil.which("redis-server") is not None, "redis-server")
    with tempfile.TemporaryDirectory(prefix="qz_fault_redis_") as directory:
        redis = PrivateRedis(Path(directory))
        redis.start()
        yield redis
        redis.stop()


@pytest.fixture
def broker_url(private_redis, require_postgres):
    """The root conftest's worker fixtures (start_worker, send) on the private Redis instead of the shared one."""
    from quanzhou_pm.celery import app

    url = private_redis.url()
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    _forget_pooled_producers(app)
    yield url
    app.conf.update(previous)
    _forget_pooled_producers(app)


def _forget_pooled_producers(app) -> None:
    """The app pools its broker connections on first use, bound to the broker URL of that moment:
    drop them (as Celery does after a fork) so .delay() in the product code uses the current URL."""
    app._after_fork()


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb and the server run as the postgres user, as they must)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()

    def _pg(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> None:
        shutil.chown(self.directory, user="postgres", group="postgres")
        self._pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync")

    def _ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "server.log"),
                 "-o", options, "-w", *args, action)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """A fast restart: open transactions are rolled back, every connection is cut."""
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._ctl("stop", "-m", "immediate")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture
def private_postgres():
    available = (PG_BIN / "initdb").exists() and shutil.which("runuser") is not None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        available = False
    require_service(available, f"PostgreSQL binaries in {PG_BIN}, runuser and a postgres user")
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    directory = Path(tempfile.mkdtemp(prefix="qz_fault_pg_"))
    cluster = PrivatePostgres(directory)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def private_portal(private_postgres):
    """A migrated database on the private cluster and the portal serving it."""
    private_postgres.create_database("qz_fault_portal")
    portal = Portal(private_postgres.directory, private_postgres.url("qz_fault_portal"))
    portal.serve()  # boots while the database migrates: it opens no connection before a request
    try:
        portal.manage("migrate", "--noinput")
        portal.wait_until_serving()
        yield portal
    finally:
        portal.stop()
