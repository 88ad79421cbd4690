"""Chunked bulk inserts and progress reporting for the demo generators."""
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db.models import Model

BATCH_SIZE = 5000


def insert(model: type[Model], rows: Iterable[Model], *, batch_size: int = BATCH_SIZE) -> Iterator[Model]:
    """bulk_create `rows` chunk by chunk, yielding them with their primary keys set.

    A generator, so only one chunk of model instances is alive at a time: consume it fully.
    """
    iterator = iter(rows)
    while chunk := list(islice(iterator, batch_size)):
        yield from model.objects.bulk_create(chunk, batch_size=batch_size)


def insert_count(model: type[Model], rows: Iterable[Model], *, batch_size: int = BATCH_SIZE) -> int:
    """Like `insert` for rows nothing refers to later: keeps no more than one chunk in memory."""
    count = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, batch_size)):
        model.objects.bulk_create(chunk, batch_size=batch_size)
        count += len(chunk)
    return count


class Progress:
    """Prints each step with the time since the start."""

    def __init__(self, write: Callable[[str], None]):
        self.write = write
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, message: str) -> None:
        self.write(f"[{self.elapsed:7.1f}s] {message}")
