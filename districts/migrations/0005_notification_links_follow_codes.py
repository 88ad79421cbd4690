"""Links in notifications sent before 0004 name a street by its old code (/reports/<code>/<month>/):
they follow the street to its official code. The mapping is read back from the streets' history,
where 0004 wrote it ("区划代码 old → new"); only links older than the recode are rewritten, in one
statement, so a swap (丰泽街道 ↔ 东湖街道) cannot apply twice."""
import re

from django.db import migrations
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Replace

RECODED = re.compile(r"区划代码 (\S+) → (\S+)（统计用区划代码）")


def follow(apps, schema_editor):
    history = apps.get_model("districts", "HistoricalStreet").objects.filter(
        history_change_reason__startswith="区划代码 ")
    moves = [(*RECODED.fullmatch(reason).groups(), at)
             for reason, at in history.values_list("history_change_reason", "history_date")
             if RECODED.fullmatch(reason)]
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
    dependencies = [("districts", "0004_official_division_codes"), ("notifications", "0001_initial")]

    operations = [migrations.RunPython(follow, migrations.RunPython.noop)]
