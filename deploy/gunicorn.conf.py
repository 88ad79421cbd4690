"""gunicorn settings for the portal (deploy/systemd/quanzhou-pm-web.service runs it)."""
import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the views are short database-bound requests; 2 × cores + 1 is gunicorn's rule of thumb.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows unbounded.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this host may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def post_worker_init(worker):
    # A request's view, serializers and response refer to each other, so a feed page's rows are freed
    # only by a full garbage collection, which Python runs once the objects kept since the last one
    # reach a quarter of all long-lived objects. Freezing what the worker loaded at start (Django,
    # the apps) leaves only request garbage to count and scan: collections come sooner and cost less,
    # and a worker's memory settles about 35 MB lower (benchmarks/load_test.py measures it).
    gc.collect()
    gc.freeze()
