"""The engine against the benchmark's hand-written SQL pass (benchmarks/hand_sql_pass.py): on the
hand-built city, every level's numerators, denominators and values of a month agree row by row."""
import pytest

from benchmarks.engine_vs_hand_sql import compare, engine_rows, hand_rows
from metrics.services import recompute_month

from .conftest import FEBRUARY, MARCH


@pytest.mark.parametrize("period", [FEBRUARY, MARCH])
def test_the_engine_publishes_what_the_hand_written_sql_pass_computes(world, require_postgres, period):
    recompute_month(period=period)

    engine, hand = engine_rows(period), hand_rows(period)

    assert len(engine) > 40
    assert compare(engine, hand) == []
