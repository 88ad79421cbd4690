"""`manage.py street_zone <street> [<zone>] --from YYYY-MM-DD`: who administers a street from a date."""
import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from districts.models import District, Street
from districts.services import street_zone_change


class Command(BaseCommand):
    help = "自某日起由功能区托管某街道(乡镇)；不写功能区则自该日起回归区划代码所列的区县管理。此前各日的记录保留。"

    def add_arguments(self, parser):
        parser.add_argument("street", help="街道(乡镇)代码，例如 350521105")
        parser.add_argument("zone", nargs="?", help="功能区代码，例如 350500TZ；省略表示回归所属区县")
        parser.add_argument("--from", dest="on", required=True, type=datetime.date.fromisoformat,
                            help="生效日期 YYYY-MM-DD（该日起生效）")

    def handle(self, *args, street, zone, on, **options):
        found = Street.objects.filter(code=street).first()
        if found is None:
            raise CommandError(f"没有代码为 {street} 的街道(乡镇)。")
        administering = None
        if zone is not None:
            administering = District.objects.filter(code=zone).first()
            if administering is None:
                raise CommandError(f"没有代码为 {zone} 的功能区。")
        try:
            found = street_zone_change(street=found, zone=administering, on=on)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(f"{found.name}（{found.code}）自 {on.isoformat()} 起由 {found.district.name}（{found.district.code}）管理。")
