"""The 2024 round as history: published, quota 15, the 15 selected streets, scores unknown.

The city published only the list of selected streets (DOMAIN.md), so each winner is recorded as a
selected candidate without scores or rank, and the round says its scores are unknown. The other 15
candidates of 2024 were never published and are not invented here.
"""
from django.db import migrations
from django.utils import timezone

WINNERS_2024 = ["鲤中街道", "池店镇", "江南街道", "美林街道", "丰泽街道", "崇武镇", "东湖街道", "凤城镇",
                "万安街道", "桃城镇", "山腰街道", "龙浔镇", "灵秀镇", "东园镇", "青阳街道"]
TITLE = "2024年度样板街道(乡镇)推选"
NOTE = "历史记录：2024年度共评选候选街道(乡镇)30个，入选15个。公开资料仅包含入选名单，各项得分与排名未公开。"


def load(apps, schema_editor):
    Street = apps.get_model("districts", "Street")
    SelectionRound = apps.get_model("selection", "SelectionRound")
    Nomination = apps.get_model("selection", "Nomination")
    CandidateResult = apps.get_model("selection", "CandidateResult")
    RoundAuditEntry = apps.get_model("selection", "RoundAuditEntry")
    streets = {street.name: street for street in Street.objects.filter(name__in=WINNERS_2024)}
    if len(streets) != len(WINNERS_2024):
        # A database without the Quanzhou areas (another city's deployment) has no 2024 history.
        return
    now = timezone.now()
    selection_round = SelectionRound.objects.create(
        year=2024, title=TITLE, quota=15, nomination_limit_per_district=15, state="published",
        scores_known=False, note=NOTE, published_at=now)
    for name in WINNERS_2024:
        street = streets[name]
        nomination = Nomination.objects.create(round=selection_round, street=street, district_id=street.district_id,
                                               nominated_at=now)
        CandidateResult.objects.create(round=selection_round, nomination=nomination, selected=True,
                                       computed_at=now)
    RoundAuditEntry.objects.create(round=selection_round, action="history_loaded", at=now,
                                   reason=NOTE, details={"selected": WINNERS_2024})


def unload(apps, schema_editor):
    apps.get_model("selection", "SelectionRound").objects.filter(year=2024, title=TITLE).delete()


class Migration(migrations.Migration):
    dependencies = [("selection", "0001_initial"), ("districts", "0002_quanzhou_areas")]

    operations = [migrations.RunPython(load, unload)]
