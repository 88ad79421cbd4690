"""What the selection's pages show, built from the selectors' data: the published list's columns and
rows (no column that would be empty), dates as precisely as they are known, and why a total was
computed without the public votes."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.dashboard.selectors import target_text
from metrics.dashboard.tables import attainment_text, format_value
from metrics.selectors import ComparedValue

from .models import CandidateResult, Criterion, CriterionSource, DatePrecision, SelectionRound


@dataclass(frozen=True)
class ResultRow:
    result: CandidateResult
    cells: list[tuple[Criterion, str]]  # (score column, score); "—" where a candidate has none

    @property
    def nomination(self):
        return self.result.nomination


@dataclass(frozen=True)
class ResultsTable:
    show_rank: bool
    score_columns: list[Criterion]
    show_total: bool
    # Only when the list holds candidates that were not selected; a list of winners needs no column.
    show_outcome: bool
    rows: list[ResultRow]

    @property
    def selected_count(self) -> int:
        return sum(1 for row in self.rows if row.result.selected)


def results_table(selection_round: SelectionRound, results: list[CandidateResult],
                  criteria: list[Criterion]) -> ResultsTable:
    results = list(results)
    columns = list(criteria) if selection_round.scores_known else []
    rows = [ResultRow(result=result,
                      cells=[(criterion, result.criterion_scores.get(criterion.code, "—")) for criterion in columns])
            for result in results]
    return ResultsTable(
        show_rank=any(result.rank is not None for result in results),
        score_columns=columns,
        show_total=any(result.total is not None for result in results),
        show_outcome=not all(result.selected for result in results),
        rows=rows,
    )


def published_label(selection_round: SelectionRound) -> str:
    """The publication date to the precision it is known ("2025年" for history known by year)."""
    if selection_round.published_at is None:
        return ""
    day = timezone.localtime(selection_round.published_at).date()
    if selection_round.published_precision == DatePrecision.YEAR:
        return _("%(year)s年") % {"year": day.year}
    if selection_round.published_precision == DatePrecision.MONTH:
        return _("%(year)s年%(month)s月") % {"year": day.year, "month": day.month}
    return day.isoformat()


def public_votes_notice(selection_round: SelectionRound, criteria: list[Criterion]) -> str:
    """Why the public criterion did not count and where its weight went; empty when it counted."""
    if not selection_round.public_votes_spread:
        return ""
    applied = selection_round.scored_weights
    public = [c for c in criteria if c.source == CriterionSource.PUBLIC_VOTES]
    others = "、".join(f"{c.name} {_trimmed(applied.get(c.code, '0'))}" for c in criteria if c not in public)
    return _("本轮公众点赞有效票共 %(votes)s 票，未达到最低 %(minimum)s 票，“%(names)s”不计入综合得分，"
             "其权重 %(weight)s 按比例分配给其他评分项：%(others)s。") % {
        "votes": selection_round.scored_vote_total, "minimum": selection_round.min_public_votes,
        "names": "、".join(c.name for c in public), "weight": sum(c.weight for c in public), "others": others}


def _trimmed(weight: str) -> str:
    """37.50 → 37.5, 25.00 → 25."""
    return format(Decimal(weight).normalize(), "f")


@dataclass(frozen=True)
class IndicatorLine:
    name: str
    value: str
    target: str
    attainment: str | None  # met / near / missed, as the metrics selectors judged it
    attainment_text: str


def indicator_lines(rows: list[ComparedValue]) -> list[IndicatorLine]:
    """A candidate's indicators as the dashboards word them (value, target, attainment)."""
    return [IndicatorLine(name=row.indicator.name, value=format_value(row.value, row.indicator.unit),
                          target=target_text(row.target, row.indicator.unit), attainment=row.attainment,
                          attainment_text=attainment_text(row.target, row.attainment))
            for row in rows]
