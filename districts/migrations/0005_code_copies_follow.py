"""Copies of area codes written before 0004 follow their area to its official code: links in
notifications (/reports/<street code>/<month>/) and the area of saved pivot tables. The mapping is
read back from the areas' history, where 0004 wrote it ("区划代码 old → new"); only rows older than
the recode are rewritten, each once, so a swap (丰泽街道 ↔ 东湖街道) cannot apply twice."""
import re

from django.db import migrations
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Replace

RECODED = re.compile(r"区划代码 (\S+) → (\S+)（统计用区划代码）")
HISTORIES = [("districts", "HistoricalCity"), ("districts", "HistoricalDistrict"), ("districts", "HistoricalStreet"),
             ("communities", "HistoricalCommunity")]


def _moves(apps, model_name) -> list[tuple[str, str, object]]:
    """(old, new, when) of each recode, earliest first: a copy follows the first one after it was made."""
    history = apps.get_model(*model_name).objects.filter(history_change_reason__startswith="区划代码 ")
    return [(*RECODED.fullmatch(reason).groups(), at)
            for reason, at in history.order_by("history_date").values_list("history_change_reason", "history_date")
            if RECODED.fullmatch(reason)]


def follow(apps, schema_editor):
    _notification_links(apps, _moves(apps, ("districts", "HistoricalStreet")))
    _saved_pivots(apps, [move for model_name in HISTORIES for move in _moves(apps, model_name)])


def _saved_pivots(apps, moves) -> None:
    moved: dict[str, list] = {}
    for old, new, at in sorted(moves, key=lambda move: move[2]):
        moved.setdefault(old, []).append((new, at))
    pivots = apps.get_model("analysis", "SavedPivot")
    changed = []
    for pivot in pivots.objects.filter(params__area__in=list(moved)):
        new = next((new for new, at in moved[pivot.params["area"]] if pivot.created_at < at), None)
        if new is not None:
            pivot.params["area"] = new
            changed.append(pivot)
    pivots.objects.bulk_update(changed, ["params"], batch_size=500)


def _notification_links(apps, moves) -> None:
    if not moves:
        return
    links = [(f"/reports/{old}/", f"/reports/{new}/", at) for old, new, at in moves]
    when = [When(Q(url__contains=old, created_at__lt=at), then=Replace(F("url"), Value(old), Value(new)))
            for old, new, at in links]
    condition = Q()
    for old, _new, at in links:
        condition |= Q(url__contains=old, created_at__lt=at)
    apps.get_model("notifications", "Notification").objects.filter(condition).update(
        url=Case(*when, default=F("url")))


class Migration(migrations.Migration):
    dependencies = [("districts", "0004_official_division_codes"), ("notifications", "0001_initial"),
                    ("analysis", "0002_saved_pivot")]

    operations = [migrations.RunPython(follow, migrations.RunPython.noop)]
