"""Communities get their tree path under their street's, and established/abolished dates."""
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat


def backfill(apps, schema_editor):
    community, street = apps.get_model("communities", "Community"), apps.get_model("districts", "Street")
    streets = street.objects.filter(pk=OuterRef("street_id")).values("path")
    community.objects.update(path=Concat(Subquery(streets), F("code"), Value("/"), output_field=models.CharField()))


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0004_firm_star_rating_message'),
        ('districts', '0006_area_tree_paths'),
    ]

    operations = [
        migrations.AddField(
            model_name='community',
            name='abolished',
            field=models.DateField(blank=True, help_text='该日起不再存在', null=True, verbose_name='撤销日期'),
        ),
        migrations.AddField(
            model_name='community',
            name='established',
            field=models.DateField(blank=True, null=True, verbose_name='设立日期'),
        ),
        migrations.AddField(
            model_name='community',
            name='path',
            field=models.CharField(db_index=True, default='', editable=False, max_length=255, verbose_name='区划路径'),
        ),
        migrations.AddField(
            model_name='historicalcommunity',
            name='abolished',
            field=models.DateField(blank=True, help_text='该日起不再存在', null=True, verbose_name='撤销日期'),
        ),
        migrations.AddField(
            model_name='historicalcommunity',
            name='established',
            field=models.DateField(blank=True, null=True, verbose_name='设立日期'),
        ),
        migrations.AddField(
            model_name='historicalcommunity',
            name='path',
            field=models.CharField(db_index=True, default='', editable=False, max_length=255, verbose_name='区划路径'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
