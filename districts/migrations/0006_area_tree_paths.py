"""Each area gets its materialised path of codes along its administrative parents (a zone's
streets under the zone, as their parent field already says), and established/abolished dates."""
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat


def _paths_from_parents(model, parent_model, parent_field: str) -> None:
    """Every row's path is its parent's path followed by its own code: one UPDATE per table."""
    parents = parent_model.objects.filter(pk=OuterRef(f"{parent_field}_id")).values("path")
    model.objects.update(path=Concat(Subquery(parents), F("code"), Value("/"), output_field=models.CharField()))


def backfill(apps, schema_editor):
    city, district, street = (apps.get_model("districts", name) for name in ("City", "District", "Street"))
    city.objects.update(path=Concat(F("code"), Value("/"), output_field=models.CharField()))
    _paths_from_parents(district, city, "city")
    _paths_from_parents(street, district, "district")


class Migration(migrations.Migration):

    dependencies = [
        ('districts', '0005_code_copies_follow'),
    ]

    operations = [
        migrations.AddField(
            model_name='city',
            name='abolished',
            field=models.DateField(blank=True, help_text='该日起不再存在', null=True, verbose_name='撤销日期'),
        ),
        migrations.AddField(
            model_name='city',
            name='established',
            field=models.DateField(blank=True, null=True, verbose_name='设立日期'),
        ),
        migrations.AddField(
            model_name='city',
            name='path',
            field=models.CharField(db_index=True, default='', editable=False, max_length=255, verbose_name='区划路径'),
        ),
        migrations.AddField(
            model_name='district',
            name='abolished',
            field=models.DateField(blank=True, help_text='该日起不再存在', null=True, verbose_name='撤销日期'),
        ),
        migrations.AddField(
            model_name='district',
            name='established',
            field=models.DateField(blank=True, null=True, verbose_name='设立日期'),
        ),
        migrations.AddField(
            model_name='district',
            name='path',
            field=models.CharField(db_index=True, default='', editable=False, max_length=255, verbose_name='区划路径'),
        ),
        migrations.AddField(
            model_name='historicalcity',
            name='abolished',
            field=models.DateField(blank=True, help_text='该日起不再存在', null=True, verbose_name='撤销日期'),
        ),
        migrations.AddField(
            model_name='historicalcity',
            name='established',
            field=models.DateField(blank=True, null=True, verbose_name='设立日期'),
        ),
        migrations.AddField(
            model_name='historicalcity',
            name='path',
            field=models.CharField(db_index=True, default='', editable=False, max_length=255, verbose_name='区划路径'),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='abolished',
            field=models.DateField(blank=True, help_text='该日起不再存在', null=True, verbose_name='撤销日期'),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='established',
            field=models.DateField(blank=True, null=True, verbose_name='设立日期'),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='path',
            field=models.CharField(db_index=True, default='', editable=False, max_length=255, verbose_name='区划路径'),
        ),
        migrations.AddField(
            model_name='historicalstreet',
            name='abolished',
            field=models.DateField(blank=True, help_text='该日起不再存在', null=True, verbose_name='撤销日期'),
        ),
        migrations.AddField(
            model_name='historicalstreet',
            name='established',
            field=models.DateField(blank=True, null=True, verbose_name='设立日期'),
        ),
        migrations.AddField(
            model_name='historicalstreet',
            name='path',
            field=models.CharField(db_index=True, default='', editable=False, max_length=255, verbose_name='区划路径'),
        ),
        migrations.AddField(
            model_name='street',
            name='abolished',
            field=models.DateField(blank=True, help_text='该日起不再存在', null=True, verbose_name='撤销日期'),
        ),
        migrations.AddField(
            model_name='street',
            name='established',
            field=models.DateField(blank=True, null=True, verbose_name='设立日期'),
        ),
        migrations.AddField(
            model_name='street',
            name='path',
            field=models.CharField(db_index=True, default='', editable=False, max_length=255, verbose_name='区划路径'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
