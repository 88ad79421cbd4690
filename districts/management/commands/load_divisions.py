"""`manage.py load_divisions 3505`: load a city's (or province's) official divisions and zones."""
from django.core.management.base import BaseCommand, CommandError

from districts.divisions import DEFAULT_EXCLUDE
from districts.models import AreaLevel
from districts.services import divisions_load


class Command(BaseCommand):
    help = ("导入统计用区划代码（随项目提供的 china-division 福建省数据）中某一代码前缀下的区县、街道(乡镇)和社区(村)，"
            "以及 zones.csv 中的功能区；可重复运行：按代码新建缺少的区域，更新已有区域的名称。")

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="区划代码前缀，例如 3505（泉州市）、350502（鲤城区）或 35（福建省）")
        parser.add_argument("--exclude", nargs="*", default=list(DEFAULT_EXCLUDE), metavar="CODE",
                            help="不导入的区划代码及其下级（默认 350527 金门县：列入统计用区划代码，但不由泉州市管辖）；"
                                 "不带代码的 --exclude 表示全部导入")

    def handle(self, *args, prefix, exclude, **options):
        try:
            loaded = divisions_load(prefix=prefix, exclude=exclude)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for level in AreaLevel:
            self.stdout.write(f"{level.label}：新建 {loaded.created.get(level, 0)} 个，"
                              f"更新名称 {loaded.updated.get(level, 0)} 个")
        self.stdout.write(f"功能区托管街道：新记录 {loaded.zone_streets} 条")
        if loaded.conflicts:
            self.stdout.write(self.style.WARNING(
                f"以下 {len(loaded.conflicts)} 个区域的代码在区划数据中属于其他上级下的区域，未作改动，请核对："))
            for conflict in loaded.conflicts:
                self.stdout.write(f"  {conflict}")
