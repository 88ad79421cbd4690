"""`manage.py seed_demo`: fill the database with a realistic Quanzhou for demos and benchmarks."""
import datetime
import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import ProtectedError

from common.demo.flush import FlushRefused, flush_demo_data
from common.demo.runner import DEFAULT_COMPOUNDS, DEFAULT_SEED, DemoOptions, run
from communities.models import Compound

MAX_COMPOUNDS = 500_000


class Command(BaseCommand):
    help = "生成泉州市演示数据：街道、社区、小区、物业企业、业委会、党组织、月报和各角色用户。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子；相同种子生成相同数据")
        parser.add_argument("--compounds", type=int, default=DEFAULT_COMPOUNDS,
                            help=f"小区数量（默认 {DEFAULT_COMPOUNDS}，最多 {MAX_COMPOUNDS}）")
        parser.add_argument("--months", type=int, default=None,
                            help="只生成最近 N 个完整月份的月报（默认：2024年1月至上月）")
        parser.add_argument("--no-monthly", action="store_true", help="不生成月报数据")
        parser.add_argument("--if-empty", action="store_true", help="已有小区数据时什么也不做")
        parser.add_argument("--flush", action="store_true", help="先清空已有的登记库和月报数据（不可恢复）")
        parser.add_argument("--no-indicators", action="store_true",
                            help="生成后不计算指标（默认计算有月报数据的每个月份）")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="以该日期为“今天”生成数据（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        if not 1 <= options["compounds"] <= MAX_COMPOUNDS:
            raise CommandError(f"--compounds 须在 1 到 {MAX_COMPOUNDS} 之间。")
        if options["months"] is not None and options["months"] < 1:
            raise CommandError("--months 至少为 1。")
        if options["flush"]:
            try:
                flush_demo_data()
            except (FlushRefused, ProtectedError) as error:
                raise CommandError(f"无法清空演示数据：{error}") from error
            self.stdout.write("已清空原有登记库和月报数据。")
        if Compound.objects.exists():
            if options["if_empty"]:
                self.stdout.write("数据库中已有小区数据，跳过演示数据生成。")
                return
            raise CommandError("数据库中已有小区数据；如需重新生成请加 --flush，或加 --if-empty 跳过。")

        summary = run(DemoOptions(seed=options["seed"], compounds=options["compounds"], monthly=not options["no_monthly"],
                                  months=options["months"], today=options["today"]), self.stdout.write)

        _analyze()
        if not options["no_indicators"]:
            self._compute_indicators(options["today"] or datetime.date.today())
            _analyze()
        self.stdout.write(self.style.SUCCESS(f"演示数据生成完成，用时 {summary.elapsed:.1f} 秒："))
        for label, count in summary.counts.items():
            self.stdout.write(f"  {_pad(label, 16)}{count:>12,}")
        self.stdout.write("\n演示账号（密码只显示这一次，请妥善保存）：")
        self.stdout.write(f"  {_pad('用户名', 22)}{_pad('角色', 20)}{_pad('区域', 20)}密码")
        for c in summary.credentials:
            self.stdout.write(f"  {_pad(c.username, 22)}{_pad(c.role, 20)}{_pad(c.area, 20)}"
                              f"{c.password or '（已存在，未改动）'}")


    def _compute_indicators(self, today: datetime.date) -> None:
        """Bulk inserts skip the signals that mark months stale, so compute every month once here."""
        from metrics.services import first_period, recompute_range
        from reporting.models import MonthlyReport

        first = MonthlyReport.objects.order_by("period").values_list("period", flat=True).first() or first_period()
        last = today.replace(day=1)
        started = time.monotonic()
        recompute_range(first=first, last=last,
                        on_month_done=lambda period: self.stdout.write(f"  已计算指标：{period:%Y-%m}"))
        self.stdout.write(f"指标计算完成（{first:%Y-%m} 至 {last:%Y-%m}），用时 {time.monotonic() - started:.1f} 秒。")


def _analyze() -> None:
    """Bulk-loaded tables have no planner statistics until autovacuum gets to them (never, where it
    is off); without them the fact query and the feeds pick nested loops over millions of rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where Chinese characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - used)
