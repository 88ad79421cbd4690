"""The rules for one street's monthly figures, shared by the grid, the Excel import and the API.

Decisions written down here:
- A compound reports for a month when it is active on the month's last day: the same state the
  indicator engine counts, so the rows entered are exactly the rows counted. A compound merged
  mid-month reports through the compound it was merged into.
- A row whose cells are all blank is "no data" for that compound. In a row with any value, a blank
  count or amount means zero, a blank score means "not evaluated" and a blank disclosure means "no".
- Outliers are judged per field against the compound's own median over its previous months; they
  are accepted and flagged for the reviewer, never refused. A value is an outlier only when it is
  both a multiple of the median away and a minimum absolute difference away from it, so small
  numbers (0 against a median of 0.5) are not flagged.
- The officer may explain each flagged value; the explanation is kept in the record's flags (and
  so in its history) for as long as the same value is flagged.
"""
from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, FloatField, QuerySet
from django.utils.translation import gettext as _

from common.numbers import NON_ASCII_DIGITS, TOO_LARGE, NumberError, parse_number
from communities.models import Compound
from communities.selectors import street_compounds

from .models import MonthlyRecord
from .periods import add_months, format_period, is_future, month_end

COUNT, MONEY, SCORE, FLAG = "count", "money", "score", "flag"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str

    @property
    def label(self) -> str:
        return str(MonthlyRecord._meta.get_field(self.name).verbose_name)

    @property
    def help(self) -> str:
        """What to enter, in the officer's words (the model field's help text)."""
        return str(MonthlyRecord._meta.get_field(self.name).help_text)


# Column order of the grid and of the Excel template (from column C on): keep it stable.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("weekly_meetings", COUNT),
    FieldSpec("monthly_meetings", COUNT),
    FieldSpec("petitions", COUNT),
    FieldSpec("hotline_received", COUNT),
    FieldSpec("hotline_resolved", COUNT),
    FieldSpec("hotline_satisfied", COUNT),
    FieldSpec("disputes_mediated", COUNT),
    FieldSpec("fees_due", MONEY),
    FieldSpec("fees_collected", MONEY),
    FieldSpec("micro_matters_planned", COUNT),
    FieldSpec("micro_matters_completed", COUNT),
    FieldSpec("hazards_found", COUNT),
    FieldSpec("hazards_rectified", COUNT),
    FieldSpec("enforcement_actions", COUNT),
    FieldSpec("guards_employed", COUNT),
    FieldSpec("guards_certified", COUNT),
    FieldSpec("public_revenue", MONEY),
    FieldSpec("public_revenue_disclosed", FLAG),
    FieldSpec("evaluation_score", SCORE),
)
FIELD_NAMES: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
FIELD_BY_NAME = {spec.name: spec for spec in FIELDS}
OUTLIER_FIELDS = tuple(spec.name for spec in FIELDS if spec.kind in (COUNT, MONEY))

# (part, whole): the part may not exceed the whole. Mirrors the database check constraints.
PART_OF_WHOLE = (
    ("hotline_resolved", "hotline_received"),
    ("hotline_satisfied", "hotline_resolved"),
    ("fees_collected", "fees_due"),
    ("micro_matters_completed", "micro_matters_planned"),
    ("hazards_rectified", "hazards_found"),
    ("guards_certified", "guards_employed"),
)

MAX_MONEY = Decimal("999999999999.99")
MAX_COUNT = 2_147_483_647  # the database column's limit
# Digits of each kind's integer part, for the magnitude check before any conversion (common.numbers).
COUNT_DIGITS, MONEY_DIGITS, SCORE_DIGITS = len(str(MAX_COUNT)), 12, 3
# The longest explanation of a flagged value.
EXPLANATION_MAX_LENGTH = 200
TRUE_WORDS = {"是", "1", "true", "yes", "y", "on", "√", "已公示"}
FALSE_WORDS = {"否", "0", "false", "no", "n", "off", "未公示"}


@dataclass
class RowInput:
    """One compound's raw values as typed (strings from a form, cells from a sheet)."""

    code: str
    values: dict[str, object]
    line: int | None = None
    # Explanations of flagged values as typed, field → text; None (or a field left out) keeps the stored one.
    explanations: dict[str, str] | None = None


@dataclass(frozen=True)
class CellError:
    code: str
    field: str | None
    message: str
    line: int | None = None


@dataclass
class ValidatedRow:
    compound: Compound
    # None when every cell was blank: no data for this compound this month.
    values: dict[str, object] | None
    flags: list[dict] = field(default_factory=list)
    explanations: dict[str, str] | None = None


@dataclass
class ValidationResult:
    rows: list[ValidatedRow]
    errors: list[CellError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_cell(self) -> dict[tuple[str, str | None], str]:
        return {(error.code, error.field): error.message for error in self.errors}


class _Invalid(Exception):
    pass


def _is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _number(raw, *, integer_digits: int, reason: str) -> Decimal:
    """A typed number, or _Invalid with `reason` (a more precise one for non-ASCII digits or a huge value)."""
    try:
        return parse_number(raw, integer_digits=integer_digits)
    except NumberError as exc:
        raise _Invalid(exc.message if exc.code in (NON_ASCII_DIGITS, TOO_LARGE) else reason) from None


def _parse(spec: FieldSpec, raw):
    if spec.kind == FLAG:
        if _is_blank(raw) or raw is False:
            return False
        if raw is True:
            return True
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise _Invalid(_("请填写“是”或“否”"))
    if _is_blank(raw):
        return None if spec.kind == SCORE else (0 if spec.kind == COUNT else Decimal("0"))
    if spec.kind == COUNT:
        reason = _("须为不小于0的整数")
        if type(raw) is int or (type(raw) is float and raw.is_integer()):
            number = int(raw)  # what a spreadsheet sends: a float has at most 309 digits, cheap to convert
        else:
            number = _number(raw, integer_digits=COUNT_DIGITS, reason=reason)
        if number < 0 or number != int(number):
            raise _Invalid(reason)
        if number > MAX_COUNT:
            raise _Invalid(_("数值过大"))
        return int(number)
    if spec.kind == MONEY:
        reason = _("须为不小于0的金额")
        number = _number(raw, integer_digits=MONEY_DIGITS, reason=reason)
        if number < 0 or number > MAX_MONEY:
            raise _Invalid(reason)
        if number != number.quantize(Decimal("0.01")):
            raise _Invalid(_("金额最多保留两位小数"))
        return number.quantize(Decimal("0.01"))
    reason = _("须为0到100之间的分数")
    number = _number(raw, integer_digits=SCORE_DIGITS, reason=reason)
    if number < 0 or number > 100:
        raise _Invalid(reason)
    if number != number.quantize(Decimal("0.01")):
        raise _Invalid(_("分数最多保留两位小数"))
    return number.quantize(Decimal("0.01"))


def show_value(value) -> str:
    """A value as the officer would type it: 1200.5 not 1200.50, 是/否 for yes/no, blank for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def compound_label(compound: Compound) -> str:
    return f"{compound.name}（{compound.code}）"


def _validate_row(row: RowInput, compound: Compound, errors: list[CellError]) -> dict | None:
    if all(_is_blank(row.values.get(name)) for name in FIELD_NAMES):
        return None
    values, who = {}, compound_label(compound)
    for spec in FIELDS:
        raw = row.values.get(spec.name)
        try:
            values[spec.name] = _parse(spec, raw)
        except _Invalid as exc:
            errors.append(CellError(row.code, spec.name, _("%(who)s：%(field)s %(reason)s（填写了“%(raw)s”）") % {
                "who": who, "field": spec.label, "reason": exc.args[0], "raw": raw}, row.line))
    for part, whole in PART_OF_WHOLE:
        if part in values and whole in values and values[part] > values[whole]:
            errors.append(CellError(row.code, part, _("%(who)s：%(part)s(%(pv)s) 不能大于%(whole)s(%(wv)s)") % {
                "who": who, "part": FIELD_BY_NAME[part].label, "pv": show_value(values[part]),
                "whole": FIELD_BY_NAME[whole].label, "wv": show_value(values[whole])}, row.line))
    return values


# A grid page or an API call names a few compounds: reads are narrowed to those, so their cost does
# not grow with the street. A whole file names most of its street: there one read of the whole street
# is cheaper than a parameter per row, and stays within the databases' limits on parameters.
FEW_NAMED = 500


def named_only(queryset: QuerySet, field: str, values: Collection) -> QuerySet:
    """`queryset` narrowed to rows whose `field` is in `values` when they are few; as it is when many.

    Callers look rows up by `field`, so both give them the same answers.
    """
    if len(values) > FEW_NAMED:
        return queryset
    return queryset.filter(**{f"{field}__in": list(values)})


class _Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def history_medians(*, street, period: datetime.date, compound_ids=None) -> dict[int, dict[str, float]]:
    """Per compound of the street (or of `compound_ids`), the median of each outlier field over its previous months.

    PostgreSQL computes the medians itself (a 5,000-compound street has 30,000 history rows);
    other databases have no median aggregate, so they get the rows and Python does it.
    """
    months, minimum = settings.MONTHLY_OUTLIER_HISTORY_MONTHS, settings.MONTHLY_OUTLIER_MIN_HISTORY
    history = MonthlyRecord.objects.filter(report__street=street, period__gte=add_months(period, -months),
                                           period__lt=period)
    if compound_ids is not None:
        history = named_only(history, "compound_id", compound_ids)
    if connection.vendor == "postgresql":
        rows = (history.values("compound_id").annotate(months=Count("pk"), **{f"median_{name}": _Median(name)
                                                                             for name in OUTLIER_FIELDS})
                .filter(months__gte=minimum).order_by())
        return {row["compound_id"]: {name: row[f"median_{name}"] for name in OUTLIER_FIELDS} for row in rows}
    series: dict[int, list[tuple]] = defaultdict(list)
    for compound_id, *values in history.values_list("compound_id", *OUTLIER_FIELDS):
        series[compound_id].append(values)
    return {compound_id: {name: float(statistics.median(column)) for name, column in zip(OUTLIER_FIELDS, zip(*rows))}
            for compound_id, rows in series.items() if len(rows) >= minimum}


def _minimum_difference(name: str) -> float:
    if FIELD_BY_NAME[name].kind == MONEY:
        return settings.MONTHLY_OUTLIER_MIN_AMOUNT_DIFFERENCE
    return settings.MONTHLY_OUTLIER_MIN_COUNT_DIFFERENCE


def outlier_flags(values: dict, medians: dict[str, float] | None) -> list[dict]:
    """The flags of a row's values against its compound's medians; each with its reason (`message`)
    and an empty explanation."""
    if not medians:
        return []
    multiple, months = settings.MONTHLY_OUTLIER_MULTIPLE, settings.MONTHLY_OUTLIER_HISTORY_MONTHS
    flags = []
    for name in OUTLIER_FIELDS:
        median, value = medians[name], float(values[name])
        if abs(value - median) < _minimum_difference(name):
            continue
        if value > median * multiple:
            template = _("%(field)s %(value)s 远高于近%(months)s个月中位数 %(median)s")
        elif value < median / multiple:
            template = _("%(field)s %(value)s 远低于近%(months)s个月中位数 %(median)s")
        else:
            continue
        flags.append({"field": name, "value": show_value(values[name]), "median": f"{median:g}", "message": template % {
            "field": FIELD_BY_NAME[name].label, "value": show_value(values[name]), "months": months,
            "median": f"{median:g}"}, "explanation": ""})
    return flags


def _check_explanations(row: RowInput, compound: Compound, errors: list[CellError]) -> None:
    for name, text in (row.explanations or {}).items():
        if name in FIELD_BY_NAME and len(str(text or "").strip()) > EXPLANATION_MAX_LENGTH:
            errors.append(CellError(row.code, name, _("%(who)s：%(field)s 的说明不能超过%(limit)s字") % {
                "who": compound_label(compound), "field": FIELD_BY_NAME[name].label,
                "limit": EXPLANATION_MAX_LENGTH}, row.line))


def validate_monthly_rows(*, street, period: datetime.date, rows: list[RowInput]) -> ValidationResult:
    """Check every row against every rule; never stops at the first error."""
    errors: list[CellError] = []
    if is_future(period):
        errors.append(CellError("", None, _("不能填报未来月份（%(period)s）的数据") % {"period": format_period(period)}))
        return ValidationResult([], errors)
    codes = {row.code for row in rows if row.code}
    compounds = {c.code: c for c in named_only(street_compounds(street), "code", codes)}
    last_day, seen, validated = month_end(period), set(), []
    for row in rows:
        compound = compounds.get(row.code)
        if not row.code:
            errors.append(CellError("", None, _("缺少小区代码"), row.line))
            continue
        if compound is None:
            errors.append(CellError(row.code, None, _("小区代码 %(code)s 不属于%(street)s") % {
                "code": row.code, "street": street.name}, row.line))
            continue
        if row.code in seen:
            errors.append(CellError(row.code, None, _("%(who)s：同一小区重复出现") % {
                "who": compound_label(compound)}, row.line))
            continue
        seen.add(row.code)
        errors_before = len(errors)
        values = _validate_row(row, compound, errors)
        _check_explanations(row, compound, errors)
        if values is not None and not compound.is_active_on(last_day):
            errors.append(CellError(row.code, None, _("%(who)s：%(period)s 月末不在管（未纳入或已合并/撤销），不能填报") % {
                "who": compound_label(compound), "period": format_period(period)}, row.line))
        if len(errors) > errors_before:
            continue
        validated.append(ValidatedRow(compound, values, explanations=row.explanations))
    # Medians only for the rows that carry values: the compounds posted, not the whole street.
    with_values = [row for row in validated if row.values is not None]
    if with_values:
        medians = history_medians(street=street, period=period, compound_ids={row.compound.pk for row in with_values})
        for row in with_values:
            row.flags = outlier_flags(row.values, medians.get(row.compound.pk))
    return ValidationResult(validated, errors)
