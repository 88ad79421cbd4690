"""Sending Celery tasks from web requests without depending on Redis being up.

A task is sent after the transaction that prepared its work commits. While the broker is down the
send fails within about a second (settings/celery.py bounds the connect timeout and the publish
retries); the failure is logged and handed to `on_failure`, and the request that asked for the
task still answers normally. Work that must never be lost is recorded in PostgreSQL before any
send (the indicator engine's stale street-months, drained by beat), so it does not need this path.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


def send_after_commit(task, *args, on_sent: Callable[[], None] | None = None,
                      on_failure: Callable[[], None] | None = None) -> None:
    def send() -> None:
        try:
            task.delay(*args)
        except BrokerUnavailable:
            logger.exception("Celery broker unavailable: task %s%r was not sent", task.name, args)
            if on_failure is not None:
                on_failure()
        else:
            if on_sent is not None:
                on_sent()

    transaction.on_commit(send)
