from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from reporting.excel import ExcelLayoutError, read_monthly_workbook
from reporting.services import ReportingError, monthly_records_save, monthly_report_get_or_create

from ._monthly import add_street_period_arguments, street_and_period


class Command(BaseCommand):
    help = "导入某街道(乡镇)某月的月报 Excel；任何一行有误则全部不保存并以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("file", help="按模板填写的 .xlsx 文件")
        add_street_period_arguments(parser)
        parser.add_argument("--user", help="记入修改记录的用户名（可选；缺省记为命令行导入）")

    def handle(self, *args, **options):
        street, period = street_and_period(options)
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"找不到用户 {options['user']}")
        path = Path(options["file"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError("只能导入 .xlsx 格式的文件")
        try:
            # One byte over the limit is enough for read_monthly_workbook to refuse a huge file.
            with path.open("rb") as file:
                content = file.read(settings.MONTHLY_UPLOAD_MAX_BYTES + 1)
            rows = read_monthly_workbook(content, street=street, period=period)
            report = monthly_report_get_or_create(street=street, period=period)
            plan = monthly_records_save(report=report, rows=rows, actor=actor, expected_version=report.version,
                                        source="命令行导入")
        except (ExcelLayoutError, ReportingError) as exc:
            raise CommandError(exc.message) from exc
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(f"第{error.line}行 {error.message}" if error.line else error.message)
            raise CommandError(f"共 {len(plan.errors)} 处错误，未保存任何数据")
        counts = {kind: sum(1 for c in plan.changed if c.kind == kind) for kind in ("create", "update", "delete")}
        self.stdout.write(self.style.SUCCESS(
            f"已导入 {street.name} {options['period']}：新增 {counts['create']}，修改 {counts['update']}，删除 {counts['delete']}"))
