"""The start of a deployed web worker, for the benchmarks that time pages in their own process.

deploy/gunicorn.conf.py's post_worker_init runs in every worker once the application is loaded and
before its first request: it freezes what the worker loaded out of the garbage collector, so a full
collection scans only request garbage (without it, every tenth to twentieth feed page paid a
100 ms collection of Django's own objects). A benchmark that times the server's cost calls this
at the same point, so its process serves pages as a worker does.
"""
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


def start_as_deployed_worker() -> None:
    runpy.run_path(str(CONFIG))["post_worker_init"](worker=None)
