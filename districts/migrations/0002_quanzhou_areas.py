"""Quanzhou, its 13 county-level units and the 15 streets/townships named in the campaign.

County codes are the GB/T 2260 division codes. The two functional zones have none; their project
codes contain letters so they can never collide with a numeric division code. Street codes use the
9-digit township format (county code + 3 digits) and are this portal's stable identifiers.
"""
from django.db import migrations

CITY = ("350500", "泉州市")
DISTRICTS = [
    ("350502", "鲤城区", "district"),
    ("350503", "丰泽区", "district"),
    ("350504", "洛江区", "district"),
    ("350505", "泉港区", "district"),
    ("350521", "惠安县", "county"),
    ("350524", "安溪县", "county"),
    ("350525", "永春县", "county"),
    ("350526", "德化县", "county"),
    ("350581", "石狮市", "county_city"),
    ("350582", "晋江市", "county_city"),
    ("350583", "南安市", "county_city"),
    ("350500TZ", "泉州台商投资区", "zone"),
    ("350500KF", "泉州经济技术开发区", "zone"),
]
STREETS = [
    ("350502001", "鲤中街道", "street", "350502"),
    ("350502002", "江南街道", "street", "350502"),
    ("350503001", "丰泽街道", "street", "350503"),
    ("350503002", "东湖街道", "street", "350503"),
    ("350504001", "万安街道", "street", "350504"),
    ("350505001", "山腰街道", "street", "350505"),
    ("350582101", "池店镇", "town", "350582"),
    ("350582001", "青阳街道", "street", "350582"),
    ("350581101", "灵秀镇", "town", "350581"),
    ("350583001", "美林街道", "street", "350583"),
    ("350521101", "崇武镇", "town", "350521"),
    ("350524101", "凤城镇", "town", "350524"),
    ("350525101", "桃城镇", "town", "350525"),
    ("350526101", "龙浔镇", "town", "350526"),
    ("350500TZ101", "东园镇", "town", "350500TZ"),
]


def load(apps, schema_editor):
    City = apps.get_model("districts", "City")
    District = apps.get_model("districts", "District")
    Street = apps.get_model("districts", "Street")
    city, _ = City.objects.get_or_create(code=CITY[0], defaults={"name": CITY[1]})
    by_code = {}
    for code, name, kind in DISTRICTS:
        by_code[code], _ = District.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "city": city})
    for code, name, kind, district_code in STREETS:
        Street.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "district": by_code[district_code]})


def unload(apps, schema_editor):
    apps.get_model("districts", "Street").objects.filter(code__in=[s[0] for s in STREETS]).delete()
    apps.get_model("districts", "District").objects.filter(code__in=[d[0] for d in DISTRICTS]).delete()
    apps.get_model("districts", "City").objects.filter(code=CITY[0]).delete()


class Migration(migrations.Migration):
    dependencies = [("districts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
