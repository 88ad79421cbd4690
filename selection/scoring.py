"""The arithmetic of the selection, free of the database: trimmed means, vote normalisation, ranking."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# With this many scores or more, the single highest and lowest are dropped.
TRIM_FROM = 5


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def trimmed_mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(Decimal(v) for v in values)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return quantize(sum(ordered) / len(ordered))


def normalised_votes(counts: dict[int, int]) -> dict[int, Decimal]:
    """0–100 against the most-voted candidate; everyone scores 0 when nobody has a vote."""
    top = max(counts.values(), default=0)
    return {key: quantize(HUNDRED * count / top) if top else Decimal(0) for key, count in counts.items()}


def applied_weights(weights: dict[str, int], *, left_out: set[str]) -> dict[str, Decimal]:
    """The weights a total uses when the criteria in `left_out` do not count: theirs is spread over
    the others in proportion to their own weights (30/30/20 without a public 20 → 37.5/37.5/25)."""
    counted = sum(weight for code, weight in weights.items() if code not in left_out)
    full = sum(weights.values())
    return {code: Decimal(0) if code in left_out or not counted else Decimal(weight) * full / counted
            for code, weight in weights.items()}


def weighted_total(scores: dict[str, Decimal], weights: dict[str, Decimal]) -> Decimal:
    """Σ score × weight / 100, rounded once at the end."""
    return quantize(sum((scores[code] * weight for code, weight in weights.items()), Decimal(0)) / HUNDRED)


@dataclass
class Ranked:
    key: int
    total: Decimal
    attainment: Decimal | None
    tiebreak: str
    rank: int = 0
    selected: bool = False


def rank(candidates: list[Ranked], *, quota: int) -> list[Ranked]:
    """Order by total, then 四升一降 attainment (missing last), then the street code so the order is
    reproducible; ranks are distinct and the first `quota` are selected."""
    ordered = sorted(candidates, key=lambda c: (-c.total, c.attainment is None, -(c.attainment or 0), c.tiebreak))
    for position, candidate in enumerate(ordered, start=1):
        candidate.rank = position
        candidate.selected = position <= quota
    return ordered
