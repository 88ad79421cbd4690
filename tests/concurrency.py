"""Run several functions at the same moment, each in its own thread on its own database connection.

For races on PostgreSQL in tests marked `django_db(transaction=True)`: what a thread commits is
what the others see, as with two requests on two workers.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None

    def result(self):
        """The value, or the exception the function raised, raised again."""
        if self.error is not None:
            raise self.error
        return self.value


def stagger(round_: int, *, step: float = 0.004, spread: int = 3) -> tuple[float, float]:
    """Start delays for two racers that sweep, round after round, from the first well ahead through a
    dead heat to the second well ahead, so that every order is likely over a handful of rounds."""
    offset = (round_ % (2 * spread + 1) - spread) * step
    return max(-offset, 0.0), max(offset, 0.0)


def run_together(*functions: Callable[[], object], delays: Sequence[float] = (), timeout: float = 20) -> list[Outcome]:
    """Start every function at once (behind a barrier, then after its delay, if any) and wait for all;
    one outcome per function."""
    barrier = threading.Barrier(len(functions))
    outcomes = [Outcome() for _ in functions]
    delays = list(delays) + [0.0] * (len(functions) - len(delays))

    def run(outcome: Outcome, function, delay: float) -> None:
        try:
            barrier.wait(timeout)
            if delay:
                time.sleep(delay)
            outcome.value = function()
        except BaseException as exc:  # noqa: BLE001 - handed to the test through the outcome
            outcome.error = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args, daemon=True) for args in zip(outcomes, functions, delays)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing thread did not finish (deadlock?)"
    return outcomes


class WriteGate:
    """Holds back every write to one table by other connections, while reads go on: a SHARE lock on
    the table, taken on a connection of its own, until `open()`.

    A transaction of another thread or process that writes the table stops at its first write there,
    with everything before it done and not committed: a test can act while it waits (commit a racing
    edit, kill the worker), then let it go on.
    """

    def __init__(self, table: str):
        self.holder = connection.copy()
        self.opening = threading.Lock()
        self.holder.inc_thread_sharing()  # opened by whichever thread lets the writer go
        self.holder.set_autocommit(False)
        with self.holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
            cursor.execute("SELECT pg_backend_pid()")
            (self.pid,) = cursor.fetchone()

    def held_back(self) -> list[int]:
        """The backends waiting for the gate."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [self.pid])
            return [pid for (pid,) in cursor.fetchall()]

    def wait_until_holding_back(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not self.held_back():
            if time.monotonic() > deadline:
                raise AssertionError("no writer reached the gate")
            time.sleep(0.002)

    def open_once_waited_for(self, finished: threading.Event) -> None:
        """Open, in a thread of its own, once a connection waits for a writer the gate holds back (an edit
        racing it, which could not finish while the gate stays shut) or once `finished` is set."""
        held = self.held_back()

        def watch() -> None:
            try:
                with connection.cursor() as cursor:
                    while not finished.wait(0.002):
                        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pg_blocking_pids(pid) && %s::int[]", [held])
                        if cursor.fetchone():
                            break
            finally:
                self.open()
                connection.close()

        self.watcher = threading.Thread(target=watch, daemon=True)
        self.watcher.start()

    def open(self) -> None:
        with self.opening:
            if self.holder.connection is not None:
                self.holder.rollback()
                self.holder.close()
