"""The 2024 round was published in 2025 (the city's reports give the year, not the day).

0002 recorded the moment it was loaded as its publication; this puts it in 2025 with the
precision of a year, so the list says "2025年" and invents no day.
"""
import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations

TITLE = "2024年度样板街道(乡镇)推选"


def correct(apps, schema_editor):
    # Noon, so the year is 2025 in UTC and in local time alike.
    published = datetime.datetime(2025, 1, 1, 12, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    apps.get_model("selection", "SelectionRound").objects.filter(year=2024, title=TITLE, scores_known=False).update(
        published_at=published, published_precision="year")


class Migration(migrations.Migration):
    dependencies = [("selection", "0004_round_stages_votes_precision")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
