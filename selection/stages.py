"""What a round allows on a day: the work of each stage happens only within that stage's dates.

The one place the rule is written. Services refuse work outside it (city staff may go ahead with a
reason, which the services audit); pages ask it to show where a round stands and what comes next.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import RoundState, SelectionRound, StageKind

JUDGED_STAGES = (StageKind.MATERIAL_REVIEW, StageKind.ONSITE_INSPECTION, StageKind.DEPARTMENT_EVALUATION)

# The round states in which a stage's work may happen at all, whatever the date.
WORK_STATES = {
    StageKind.NOMINATION: {RoundState.OPEN},
    **{kind: {RoundState.OPEN} for kind in JUDGED_STAGES},
    StageKind.PUBLIC_VOTING: {RoundState.OPEN},
    # A scored round may be scored again (a late correction) until it is published.
    StageKind.SCORING: {RoundState.OPEN, RoundState.SCORING},
    StageKind.PUBLICATION: {RoundState.SCORING},
}


class StageStatus:
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"
    UNSET = "unset"


def state_refusal(selection_round: SelectionRound, kind: str) -> str | None:
    """Why the round's state rules out the stage's work, or None. No override lifts this."""
    if selection_round.state in WORK_STATES[kind]:
        return None
    if selection_round.state == RoundState.PUBLISHED:
        return _("本轮结果已发布并冻结，须经审核重新开放后方可修改。")
    if selection_round.state == RoundState.DRAFT:
        return _("本轮推选尚未开放。")
    if kind == StageKind.PUBLICATION:
        return _("请先完成计分并审核结果，再发布。")
    return _("本轮已进入计分审核，不能再进行“%(stage)s”。") % {"stage": StageKind(kind).label}


def date_refusal(selection_round: SelectionRound, kind: str, day: datetime.date) -> str | None:
    """Why `day` lies outside the stage's dates, or None when the stage is open that day."""
    stage = selection_round.stage_of(kind)
    label = StageKind(kind).label
    if stage is None:
        return _("尚未设置“%(stage)s”阶段的日期。") % {"stage": label}
    if stage.is_open_on(day):
        return None
    words = {"stage": label, "start": stage.starts_on.isoformat(), "end": stage.ends_on.isoformat()}
    if day < stage.starts_on:
        return _("“%(stage)s”阶段尚未开始（%(start)s 至 %(end)s）。") % words
    return _("“%(stage)s”阶段已结束（%(start)s 至 %(end)s）。") % words


def allows(selection_round: SelectionRound, kind: str, day: datetime.date | None = None) -> bool:
    day = day or timezone.localdate()
    return state_refusal(selection_round, kind) is None and date_refusal(selection_round, kind, day) is None


@dataclass(frozen=True)
class StageView:
    kind: str
    label: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    status: str


@dataclass(frozen=True)
class Timeline:
    """Where a round stands on `day`: every stage in process order with its status, and what is allowed."""

    round: SelectionRound
    day: datetime.date
    stages: tuple[StageView, ...]
    allowed: frozenset[str]

    @property
    def current(self) -> list[StageView]:
        return [stage for stage in self.stages if stage.status == StageStatus.CURRENT]

    @property
    def upcoming(self) -> StageView | None:
        """The next stage to begin after `day`."""
        later = [stage for stage in self.stages if stage.status == StageStatus.UPCOMING]
        return min(later, key=lambda stage: stage.starts_on, default=None)

    @property
    def allows(self) -> dict[str, bool]:
        """Stage kind → whether its work may happen on `day`; templates read `timeline.allows.scoring`."""
        return {kind: kind in self.allowed for kind in StageKind.values}

    @property
    def by_kind(self) -> dict[str, StageView]:
        """Stage kind → its view; templates read `timeline.by_kind.public_voting.ends_on`."""
        return {stage.kind: stage for stage in self.stages}


def timeline(selection_round: SelectionRound, day: datetime.date | None = None) -> Timeline:
    day = day or timezone.localdate()
    views = []
    for kind, label in StageKind.choices:
        stage = selection_round.stage_of(kind)
        if stage is None:
            status = StageStatus.UNSET
        elif stage.is_open_on(day):
            status = StageStatus.CURRENT
        elif day < stage.starts_on:
            status = StageStatus.UPCOMING
        else:
            status = StageStatus.DONE
        views.append(StageView(kind=kind, label=str(label), starts_on=stage and stage.starts_on,
                               ends_on=stage and stage.ends_on, status=status))
    allowed = frozenset(kind for kind in StageKind.values if allows(selection_round, kind, day))
    return Timeline(round=selection_round, day=day, stages=tuple(views), allowed=allowed)
