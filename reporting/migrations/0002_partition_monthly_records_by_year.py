"""On PostgreSQL, partition the monthly records by year (common/partitions.py); nothing elsewhere."""
from django.db import migrations

from common.partitions import partition_tables_operation


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0001_initial'),
    ]

    operations = [
        partition_tables_operation('reporting_monthlyrecord'),
    ]
