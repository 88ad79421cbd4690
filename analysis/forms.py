"""The pivot table's selection (数据透视), validated once for the page, its downloads, a shared link and
a saved view alike, and always against the viewer's own area scope."""
from __future__ import annotations

import datetime
import math

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, gettext_lazy

from accounts.scope import AreaScope
from common.forms import IntegerField
from districts.models import PATH_SEPARATOR
from districts.selectors import area_by_code, area_levels, child_level, in_area_q, level_model, top_area
from metrics.dashboard.periods import MONTH, QUARTER, RUN, YEAR, PeriodChoice, containing
from metrics.models import Indicator
from metrics.periods import add_months, months_between, run_error
from reporting.periods import latest_due_month, parse_period

from .pivot import AREA, COLUMNS, FILTER, INDICATOR, MAX_CELLS, MAX_RUN_READS, PERIOD, ROWS, PivotSelection

KINDS = [(MONTH, gettext_lazy("逐月")), (QUARTER, gettext_lazy("逐季度")), (YEAR, gettext_lazy("逐年")),
         (RUN, gettext_lazy("起止月份合计为一期"))]
AXIS_CHOICES = [(ROWS, gettext_lazy("行")), (COLUMNS, gettext_lazy("列")), (FILTER, gettext_lazy("筛选"))]
CHARTS = [("line", gettext_lazy("折线图")), ("bar", gettext_lazy("柱状图"))]
ORDERS = [("desc", gettext_lazy("降序")), ("asc", gettext_lazy("升序"))]


def home_area(scope: AreaScope):
    """The widest area the user sees: the top of the tree for city staff, else their district or street."""
    return top_area() if scope.city_wide else scope.area


def areas_under(area, level: str, scope: AreaScope):
    """The areas of `level` under `area` (the area itself when it is of that level), in code order,
    through the viewer's scope. The path from the level to the area is read from the tree's own
    paths, not named here."""
    model = level_model(level)
    query = model.objects.filter(in_area_q(model, area))
    # Only what a pivot shows of an area: a city's communities are thousands of rows.
    return scope.filter(query).only("pk", "code", "name", "path").order_by("code")


def area_choices(home, scope: AreaScope) -> list[tuple[str, str]]:
    """The areas a pivot may start from, for the page's list: the user's own area and those under it
    down to the level above the lowest (a street officer's down to its communities), each under its
    parent, indented by its depth below the user's area."""
    if home is None:
        return []
    levels = area_levels()
    deepest = max(levels.index(home.level) + 1, len(levels) - 2)
    below = [area for level in levels[levels.index(home.level) + 1:deepest + 1]
             for area in areas_under(home, level, scope)]
    depth = home.path.count(PATH_SEPARATOR)
    return [(home.code, home.name)] + [(area.code, "　" * (area.path.count(PATH_SEPARATOR) - depth) + area.name)
                                       for area in sorted(below, key=lambda area: area.path)]


class MonthField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_period(value[:8])
        except ValueError:
            raise ValidationError(_("请按 YYYY-MM 填写月份，例如 2024-11。"), code="invalid") from None


class PivotForm(forms.Form):
    indicator = forms.MultipleChoiceField(label=gettext_lazy("指标"), choices=(), widget=forms.CheckboxSelectMultiple)
    area = forms.CharField(label=gettext_lazy("区域"), max_length=20)
    level = forms.ChoiceField(label=gettext_lazy("展开到"), choices=lambda: [(level.value, level.label) for level in area_levels()])
    kind = forms.ChoiceField(label=gettext_lazy("期间"), choices=KINDS)
    period_from = MonthField(label=gettext_lazy("起始月份"))
    period_to = MonthField(label=gettext_lazy("截止月份"))
    indicator_axis = forms.ChoiceField(label=gettext_lazy("指标放在"), choices=AXIS_CHOICES)
    area_axis = forms.ChoiceField(label=gettext_lazy("区域放在"), choices=AXIS_CHOICES)
    period_axis = forms.ChoiceField(label=gettext_lazy("期间放在"), choices=AXIS_CHOICES)
    chart = forms.ChoiceField(label=gettext_lazy("图表"), choices=CHARTS, required=False)
    sort = IntegerField(label=gettext_lazy("排序列"), required=False, min_value=0, max_value=MAX_CELLS)
    order = forms.ChoiceField(label=gettext_lazy("排序方向"), choices=ORDERS, required=False)

    def __init__(self, data, *, user, scope: AreaScope, indicators: list[Indicator], latest: datetime.date | None):
        super().__init__(data)
        self.user, self.scope, self.indicators = user, scope, indicators
        self.latest = latest  # the latest month whose reports are due and whose values are published
        self.fields["indicator"].choices = [(indicator.code, indicator.name) for indicator in indicators]
        # What the page tells the viewer besides errors (a link's area outside their scope, periods left out).
        self.notes: list[str] = []
        self.areas: list = []
        self.periods: list[PeriodChoice] = []
        self.rescoped = False

    def clean_indicator(self):
        return list(dict.fromkeys(self.cleaned_data["indicator"]))  # a link may repeat one

    def clean_area(self):
        area = area_by_code(self.cleaned_data["area"])
        if area is None or not self.scope.sees_whole(area):
            # A link or a saved view made by someone else is shown over the viewer's own area instead.
            home = home_area(self.scope)
            if home is None:
                raise ValidationError(_("您的账号未关联任何区域，不能使用数据透视。"), code="no_scope")
            self.notes.append(_("所选区域不在您的查看范围内，已改为您所辖的%(area)s。") % {"area": home.name})
            self.rescoped = True
            return home
        return area

    def clean(self):
        data = super().clean()
        area, level = data.get("area"), data.get("level")
        levels = area_levels()
        if self.rescoped and level and levels.index(level) < levels.index(area.level):
            # Someone else's wider pivot, over the viewer's own area: the areas under it.
            level = data["level"] = child_level(area.level) or area.level
        if area is not None and level and levels.index(level) < levels.index(area.level):
            self.add_error("level", _("须为所选区域本级或其下级（所选区域为%(level)s）。") % {"level": area.level.label})
            level = None
        first, last = data.get("period_from"), data.get("period_to")
        if first and last:
            self._clean_periods(data.get("kind"), first, last)
        if area is not None and level and not self.errors:
            self._clean_size(data, area, level)
        return data

    def _clean_periods(self, kind: str | None, first: datetime.date, last: datetime.date) -> None:
        problem = run_error(first, last)
        if problem:
            self.add_error("period_to", problem)
            return
        if self.latest is None or last > self.latest:
            latest = latest_due_month() if self.latest is None else self.latest
            self.add_error("period_to", _("%(month)s 尚无已到截止日的指标数据，最近可选 %(latest)s。") % {
                "month": f"{last:%Y-%m}", "latest": f"{latest:%Y-%m}"})
            return
        if kind == RUN:
            self.periods = [PeriodChoice(MONTH, first, first) if first == last else PeriodChoice(RUN, first, last, last)]
            return
        if kind not in (MONTH, QUARTER, YEAR):
            return
        whole = sorted({containing(kind, month) for month in months_between(first, last)}, key=lambda p: p.first)
        self.periods = [period for period in whole if period.end <= self.latest]
        left_out = [period.label for period in whole if period.end > self.latest]
        if left_out:
            self.notes.append(_("%(periods)s 尚未结束或未到截止日，未列出。") % {"periods": "、".join(left_out)})
        if not self.periods:
            self.add_error("period_from", _("所选月份内没有已结束的%(kind)s。") % {
                "kind": _("季度") if kind == QUARTER else _("年度") if kind == YEAR else _("月份")})
        elif kind != MONTH and len(self.periods) > MAX_RUN_READS:
            self.add_error("period_from", _("季度、年度最多选择 %(max)d 期，所选为 %(count)d 期。") % {
                "max": MAX_RUN_READS, "count": len(self.periods)})

    def _clean_size(self, data: dict, area, level: str) -> None:
        areas = areas_under(area, level, self.scope)
        area_count = (1 if level != area.level else 0) + areas.count()
        counts = {INDICATOR: len(data["indicator"]), AREA: area_count, PERIOD: len(self.periods)}
        fields = {INDICATOR: "indicator", AREA: "level", PERIOD: "period_from"}
        for dimension, axis in ((INDICATOR, data["indicator_axis"]), (AREA, data["area_axis"]),
                                (PERIOD, data["period_axis"])):
            if axis == FILTER and counts[dimension] != 1:
                self.add_error(fields[dimension], _("放在筛选区时只能有一项（现为 %(count)d 项），请改放到行或列。") % {
                    "count": counts[dimension]})
        cells = math.prod(counts.values())
        if cells > MAX_CELLS:
            self.add_error(None, _("所选指标、区域与期间共 %(cells)d 个单元格，超过上限 %(max)d，请减少其中一项。") % {
                "cells": cells, "max": MAX_CELLS})
        if not self.errors:
            # The area itself first (its total), then the areas under it.
            self.areas = ([area] if level != area.level else []) + list(areas)

    def selection(self) -> PivotSelection:
        """The validated selection (call after is_valid())."""
        data = self.cleaned_data
        chosen = set(data["indicator"])
        return PivotSelection(
            indicators=[indicator for indicator in self.indicators if indicator.code in chosen],
            area=data["area"], level=data["level"], kind=data["kind"],
            first=data["period_from"], last=data["period_to"], areas=self.areas, periods=self.periods,
            axes={INDICATOR: data["indicator_axis"], AREA: data["area_axis"], PERIOD: data["period_axis"]},
            chart=data.get("chart") or ("line" if data["period_axis"] != FILTER else "bar"),
            sort=data.get("sort"), descending=data.get("order") != "asc")

    def error_lines(self) -> list[str]:
        """Every error as one line naming its field, in Chinese."""
        lines = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else None
            lines += [f"{label}：{message}" if label else message for message in errors]
        return lines


def default_params(home, latest: datetime.date, indicator_code: str) -> dict:
    """What the page opens with: one indicator for the user's area and the areas under it, month by
    month over the last year, areas on rows and months on columns."""
    level = child_level(home.level) or home.level
    return {"indicator": [indicator_code], "area": home.code, "level": level, "kind": MONTH,
            "period_from": f"{add_months(latest, -11):%Y-%m}", "period_to": f"{latest:%Y-%m}",
            "indicator_axis": FILTER, "area_axis": ROWS, "period_axis": COLUMNS, "chart": "line"}

