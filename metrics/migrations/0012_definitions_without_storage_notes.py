"""The complaint rate's definition as staff read it, on databases loaded before 0002 said it so: how
the engine stores its denominator is not part of what the indicator means."""
from django.db import migrations

COMPLAINT_RATE = (
    "信访矛盾 = (信访件数 + 12345物业诉求受理件数) ÷ (在管小区户数 ÷ 1000)，即每千户件数，越低越好。"
)
STORAGE_NOTE = "数据库中分子存件数，分母存“千户数”。"


def plain(apps, schema_editor):
    apps.get_model("metrics", "Indicator").objects.filter(code="complaint_rate").update(formula=COMPLAINT_RATE)


def with_note(apps, schema_editor):
    apps.get_model("metrics", "Indicator").objects.filter(code="complaint_rate").update(
        formula=COMPLAINT_RATE + STORAGE_NOTE)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0011_span_leaf_sums")]
    operations = [migrations.RunPython(plain, with_note)]
