from pathlib import Path

from django.core.management.base import BaseCommand

from reporting.excel import monthly_template

from ._monthly import add_street_period_arguments, street_and_period


class Command(BaseCommand):
    help = "生成某街道(乡镇)某月的月报 Excel 模板"

    def add_arguments(self, parser):
        add_street_period_arguments(parser)
        parser.add_argument("--out", required=True, help="输出的 .xlsx 文件")

    def handle(self, *args, **options):
        street, period = street_and_period(options)
        Path(options["out"]).write_bytes(monthly_template(street=street, period=period))
        self.stdout.write(self.style.SUCCESS(f"已生成 {options['out']}"))
