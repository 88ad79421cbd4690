"""The portal as deployed (gunicorn with deploy/gunicorn.conf.py, DEBUG off) on a database of the test's
choosing, on a free port: for tests that talk to it over HTTP from outside, as other systems do."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


class Portal:
    """The portal as deployed (gunicorn with deploy/gunicorn.conf.py, DEBUG off) on its own database."""

    def __init__(self, directory: Path, database_url: str, **env: str):
        self.directory = directory
        self.port = free_port()
        self.env = {name: value for name, value in os.environ.items()
                    if name not in {"CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL", "PRODUCTION"}}
        self.env.update(DATABASE_URL=database_url, DEBUG="false", ALLOWED_HOSTS="127.0.0.1",
                        GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_WORKERS="2", LOG_LEVEL="WARNING", **env)
        self.server: subprocess.Popen | None = None

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self) -> None:
        """Start gunicorn; it answers once wait_until_serving() returns."""
        log = open(self.directory / "gunicorn.log", "ab")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "quanzhou_pm.wsgi:application"],
            cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def wait_until_serving(self) -> None:
        def healthy() -> bool:
            try:
                return urllib.request.urlopen(self.url("/healthz"), timeout=1).status == 200
            except OSError:
                return False

        wait_until(healthy, 30, "gunicorn")

    def log(self) -> str:
        return (self.directory / "gunicorn.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
