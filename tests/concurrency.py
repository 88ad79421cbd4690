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
