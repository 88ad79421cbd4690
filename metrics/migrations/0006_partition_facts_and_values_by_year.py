"""On PostgreSQL, partition the compound-month facts and the monthly indicator values by year
(common/partitions.py); nothing elsewhere."""
from django.db import migrations

from common.partitions import partition_tables_operation


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0005_span_values_plain_index'),
    ]

    operations = [
        partition_tables_operation('metrics_compoundmonthfact', 'metrics_indicatorvalue'),
    ]
