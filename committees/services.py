"""Writes to the committee and party-organisation registry: keyword-only, validated, atomic."""
from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from communities.models import Compound, PropertyFirm

from .models import PartyOrganisation, PartyOrganisationCompound, PartyOrganisationFirm


def coverage_current_q(on: datetime.date) -> Q:
    """Links in force on `on` or starting later, i.e. not yet ended."""
    return Q(covered_to__isnull=True) | Q(covered_to__gt=on)


def _set_links(organisation, link_model, target_field: str, targets: Iterable, on: datetime.date, *, new: bool) -> None:
    wanted = {target.pk for target in targets}
    links = {getattr(link, f"{target_field}_id"): link
             for link in link_model.objects.select_for_update().filter(organisation=organisation)}
    for target_id, link in links.items():
        current = link.covered_to is None or link.covered_to > on
        if target_id in wanted and not current:
            # One link per organisation and target: covering it again reopens it (history keeps the gap).
            link.covered_to = None
        elif target_id not in wanted and current:
            if link.covered_from and link.covered_from >= on:
                link.delete()  # it never took effect
                continue
            link.covered_to = on
        else:
            continue
        link.full_clean()
        link.save()
    for target_id in wanted - links.keys():
        # A new organisation's coverage starts with the organisation itself.
        link = link_model(organisation=organisation, covered_from=None if new else on, **{f"{target_field}_id": target_id})
        link.full_clean()
        link.save()


@transaction.atomic
def party_organisation_set_coverage(*, organisation: PartyOrganisation, on: datetime.date, new: bool = False,
                                    compounds: Iterable[Compound] | None = None,
                                    firms: Iterable[PropertyFirm] | None = None) -> None:
    """From day `on`, the organisation covers exactly `compounds` / `firms` (None leaves that side as is).

    Links that stop end on `on`; new ones start on `on`, or with the organisation when it is `new`.
    """
    if compounds is not None:
        _set_links(organisation, PartyOrganisationCompound, "compound", compounds, on, new=new)
    if firms is not None:
        _set_links(organisation, PartyOrganisationFirm, "firm", firms, on, new=new)

