"""python manage.py recompute_indicators [--period YYYY-MM | --from YYYY-MM --to YYYY-MM] [--street CODE]
[--include-submitted]: the same services the Celery tasks call, run synchronously."""
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from districts.models import Street
from metrics.periods import current_period, months_between, parse_period
from metrics.services import recompute_range


def period_argument(text: str):
    try:
        return parse_period(text)
    except ValueError as exc:
        raise CommandError(f"月份格式应为 YYYY-MM：{text}") from exc


class Command(BaseCommand):
    help = "重算指标：默认重算当月；可指定单月、月份区间或单个街道。"

    def add_arguments(self, parser):
        parser.add_argument("--period", type=period_argument, help="单个月份 YYYY-MM")
        parser.add_argument("--from", dest="first", type=period_argument, help="起始月份 YYYY-MM")
        parser.add_argument("--to", dest="last", type=period_argument, help="截止月份 YYYY-MM（默认当月）")
        parser.add_argument("--street", help="只重算该街道(乡镇)代码，并重新汇总其社区、区县和全市")
        parser.add_argument("--include-submitted", action="store_true", default=None,
                            help="包含已上报未审核的月报数据（结果标记为暂定）")

    def handle(self, *args, period, first, last, street, include_submitted, verbosity, **options):
        if period and (first or last):
            raise CommandError("--period 不能与 --from/--to 同时使用。")
        first = period or first or current_period()
        last = period or last or current_period()
        if last < first:
            raise CommandError("--to 不能早于 --from。")
        street_id = None
        if street:
            street_id = Street.objects.filter(code=street).values_list("pk", flat=True).first()
            if street_id is None:
                raise CommandError(f"没有代码为 {street} 的街道(乡镇)。")
        months = months_between(first, last)
        with tqdm(total=len(months), unit="月", disable=verbosity == 0) as progress:
            def month_done(done_period):
                progress.set_postfix_str(f"{done_period:%Y-%m}")
                progress.update()

            written = recompute_range(first=first, last=last, include_submitted=include_submitted,
                                      street_id=street_id, on_month_done=month_done)
        self.stdout.write(self.style.SUCCESS(f"已重算 {len(months)} 个月，写入 {written} 个指标值。"))
