"""The navigation bar: each role sees only the entries it may use.

Apps register entries here as they add pages; `items_for(user)` is what the base template shows.
"""
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from common.admin_site import may_use_admin

from .models import Role

ALL_STAFF = frozenset({Role.CITY_STAFF, Role.DISTRICT_STAFF, Role.STREET_OFFICER})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset


NAV_ITEMS: list[NavItem] = [
    NavItem(_("首页"), "home", ALL_STAFF | {Role.JUDGE}),
    NavItem(_("监测看板"), "dashboard:overview", ALL_STAFF),
    NavItem(_("滞后预警"), "dashboard:laggards", ALL_STAFF),
    NavItem(_("数据透视"), "analysis:pivot", ALL_STAFF),
    NavItem(_("月度通报"), "analysis:bulletin", frozenset({Role.CITY_STAFF, Role.DISTRICT_STAFF})),
    NavItem(_("指标定义"), "metrics:definitions", ALL_STAFF),
    NavItem(_("小区登记"), "registry:home", ALL_STAFF),
    NavItem(_("物业企业"), "registry:firms", frozenset({Role.CITY_STAFF, Role.DISTRICT_STAFF})),
    NavItem(_("本月月报"), "reporting:home", frozenset({Role.STREET_OFFICER})),
    NavItem(_("月报审核"), "reporting:review_queue", frozenset({Role.CITY_STAFF, Role.DISTRICT_STAFF})),
    NavItem(_("功能区托管"), "districts:zones", frozenset({Role.CITY_STAFF})),
    NavItem(_("目标设定"), "metrics:targets", frozenset({Role.CITY_STAFF})),
    NavItem(_("样板街道推选"), "selection:manage", frozenset({Role.CITY_STAFF, Role.DISTRICT_STAFF})),
    NavItem(_("评审打分"), "selection:judge_home", frozenset({Role.JUDGE})),
]


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV_ITEMS:
        if user.is_superuser or user.role in item.roles:
            try:
                items.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name})
            except NoReverseMatch:
                # An app whose pages are not routed in this deployment contributes no entry.
                continue
    if may_use_admin(user):
        items.append({"label": _("管理后台"), "url": reverse("admin:index"), "url_name": "admin:index"})
    return items
