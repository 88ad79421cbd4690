"""Arguments shared by the monthly_template and import_monthly commands."""
from django.core.management.base import CommandError

from districts.models import Street
from reporting.periods import parse_period


def add_street_period_arguments(parser) -> None:
    parser.add_argument("--street", required=True, help="街道(乡镇)代码")
    parser.add_argument("--period", required=True, help="月份，格式 YYYY-MM")


def street_and_period(options):
    street = Street.objects.filter(code=options["street"]).first()
    if street is None:
        raise CommandError(f"找不到代码为 {options['street']} 的街道(乡镇)")
    try:
        period = parse_period(options["period"])
    except ValueError as exc:
        raise CommandError(f"月份格式应为 YYYY-MM，实为 {options['period']}") from exc
    return street, period
