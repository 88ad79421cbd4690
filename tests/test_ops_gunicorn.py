"""deploy/gunicorn.conf.py: settings from the environment, and workers that freeze what they loaded."""
import gc
import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_workers_bind_and_timeout_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8123")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")

    config = runpy.run_path(str(CONFIG))

    assert (config["workers"], config["bind"], config["timeout"]) == (3, "127.0.0.1:8123", 45)
    assert config["worker_class"] == "sync" and config["max_requests"] > 0


def test_a_started_worker_freezes_the_objects_it_loaded(unfrozen):
    config = runpy.run_path(str(CONFIG))
    loaded = ["a module or setting the worker loaded before its first request"]
    assert gc.get_freeze_count() == 0 and any(loaded is tracked for tracked in gc.get_objects())

    config["post_worker_init"](worker=None)

    assert gc.get_freeze_count() > 0
    # Frozen objects are left out of every later collection.
    assert not any(loaded is tracked for tracked in gc.get_objects())
