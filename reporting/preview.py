"""The Excel upload's preview, grouped: how many compounds each file row would create, change or
delete, how many stay as they are, and a bounded list of each group. A presenter of services.SavePlan."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Rows listed per group; the counts always cover the whole file.
SHOWN_PER_GROUP = 200
SHOWN_ERRORS = 500
GROUPS = (("update", _("修改")), ("create", _("新增")), ("delete", _("删除")))


@dataclass
class PreviewGroup:
    kind: str
    label: str
    count: int
    shown: list

    @property
    def truncated(self) -> bool:
        return self.count > len(self.shown)


@dataclass
class Preview:
    groups: list[PreviewGroup]
    unchanged: int
    flagged: int

    @property
    def changed(self) -> int:
        return sum(group.count for group in self.groups)


def preview_of(plan) -> Preview:
    counts = Counter(change.kind for change in plan.changes)
    groups = []
    for kind, label in GROUPS:
        if counts[kind]:
            changes = [change for change in plan.changes if change.kind == kind]
            groups.append(PreviewGroup(kind, str(label), counts[kind], changes[:SHOWN_PER_GROUP]))
    return Preview(groups, counts["unchanged"], sum(1 for change in plan.changed if change.flags))
