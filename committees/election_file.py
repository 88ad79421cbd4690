"""A file of committee elections, each committee with its members: one row per member, the
committee's columns repeated on its rows. Each committee is recorded through committee_elect, so
it is validated as a whole (one chair, one committee in office, dates in order); the whole file is
saved or none of it.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import AreaScope
from common.resources import ChoiceLabelWidget, OfficerDateWidget, YesNoWidget, clean_code
from common.xlsx import SpreadsheetError
from communities.models import Compound
from communities.registry_file import READERS, RegistryImport

from .models import CommitteeMember
from .services import committee_elect

COLUMNS = {
    "compound": gettext_lazy("小区代码"), "elected_on": gettext_lazy("选举日期"), "term_start": gettext_lazy("任期开始"),
    "term_end": gettext_lazy("任期届满"), "chair_is_branch_secretary": gettext_lazy("主任“一肩挑”"),
    "name": gettext_lazy("姓名"), "role": gettext_lazy("职务"), "is_party_member": gettext_lazy("中共党员"),
}
REQUIRED = ("compound", "elected_on", "name", "role")
WIDGETS = {"elected_on": OfficerDateWidget(), "term_start": OfficerDateWidget(), "term_end": OfficerDateWidget(),
           "chair_is_branch_secretary": YesNoWidget(), "is_party_member": YesNoWidget(),
           "role": ChoiceLabelWidget(CommitteeMember.Role.choices)}


class _Rollback(Exception):
    pass


def _cells(row: dict, number: int, errors: list[str]) -> dict | None:
    values, ok = {}, True
    for key, header in COLUMNS.items():
        raw = row.get(str(header))
        try:
            values[key] = WIDGETS[key].clean(raw) if key in WIDGETS else clean_code(raw)
        except ValueError as exc:
            errors.append(_("第 %(row)s 行「%(column)s」：%(message)s") % {"row": number, "column": header, "message": exc})
            ok = False
        if ok and key in REQUIRED and values.get(key) in (None, ""):
            errors.append(_("第 %(row)s 行「%(column)s」：不能为空。") % {"row": number, "column": header})
            ok = False
    return values if ok else None


def elections_import(*, content: bytes, fmt: str, scope: AreaScope, dry_run: bool) -> RegistryImport:
    try:
        dataset = READERS[fmt]().create_dataset(content)
    except SpreadsheetError as exc:
        return RegistryImport(errors=[str(exc)])
    missing = [str(COLUMNS[key]) for key in REQUIRED if str(COLUMNS[key]) not in dataset.headers]
    if missing:
        return RegistryImport(errors=[_("缺少列：%(columns)s。") % {"columns": "、".join(missing)}])
    outcome = RegistryImport()
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    for number, row in enumerate(dataset.dict, start=2):
        values = _cells(row, number, outcome.errors)
        if values is not None:
            groups.setdefault((values["compound"], values["term_start"] or values["elected_on"]), []).append((number, values))
    compounds = {c.code: c for c in scope.filter(Compound.objects.select_related("community").filter(code__in={key[0] for key in groups}))}
    try:
        with transaction.atomic():
            for (code, _start), rows in groups.items():
                first_row, first = rows[0]
                rows_text = "、".join(str(number) for number, _values in rows)
                compound = compounds.get(code)
                if compound is None or not scope.can_change_street(compound.community.parent_id):
                    outcome.errors.append(_("第 %(rows)s 行：找不到小区“%(code)s”，或它不在您的管辖范围内。") % {
                        "rows": rows_text, "code": code})
                    continue
                try:
                    with transaction.atomic():
                        committee_elect(compound=compound, elected_on=first["elected_on"], term_start=first["term_start"],
                                        term_end=first["term_end"],
                                        chair_is_branch_secretary=first["chair_is_branch_secretary"],
                                        members=[{"name": v["name"], "role": v["role"],
                                                  "is_party_member": v["is_party_member"]} for _n, v in rows])
                except ValidationError as exc:
                    messages = exc.messages
                    outcome.errors.extend(_("第 %(rows)s 行（%(code)s 业委会）：%(message)s") % {
                        "rows": rows_text, "code": code, "message": message} for message in messages)
                    continue
                outcome.new += 1
                outcome.changes.append(_("新增：%(name)s 业委会（%(count)s 名成员）") % {
                    "name": compound.name, "count": len(rows)})
            if dry_run or outcome.errors:
                raise _Rollback
    except _Rollback:
        pass
    return outcome
