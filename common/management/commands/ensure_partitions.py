"""python manage.py ensure_partitions [--years N]: the yearly partitions of the per-month tables
up to N years ahead, and rows waiting in the DEFAULT partitions moved into theirs (common/partitions.py)."""
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from common.partitions import ensure_partitions, partitioning_supported


class Command(BaseCommand):
    help = "建立月度数据和指标值表的按年分区（至今后 N 年），并把默认分区中的数据移入对应年份分区（仅 PostgreSQL）。"

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=1, help="提前建立今后几年的分区（默认 1，即到明年）")

    def handle(self, *args, years, **options):
        if years < 0:
            raise CommandError("--years 不能为负数。")
        if not partitioning_supported():
            self.stdout.write(f"当前数据库（{connection.vendor}）不分区，无需操作。")
            return
        for change in ensure_partitions(years_ahead=years):
            if change.created_years:
                created = "、".join(str(year) for year in change.created_years)
                self.stdout.write(self.style.SUCCESS(
                    f"{change.table}：新建 {created} 年分区，从默认分区移入 {change.moved_rows} 行。"))
            else:
                self.stdout.write(f"{change.table}：分区已齐全。")
