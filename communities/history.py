"""A compound's change history for its pages (the registry's and the dashboard's): every recorded
change to the compound, its dated facts, committees, members, contracts and party coverage."""
from __future__ import annotations

from django.utils.translation import gettext as _

from committees.models import CommitteeMember, OwnersCommittee, PartyOrganisationCompound
from common.history import HistoryEntry, history_entries

from .models import (
    Compound,
    CompoundCommunityPeriod,
    CompoundHouseholdsPeriod,
    CompoundHousingTypePeriod,
    CompoundManagementPeriod,
    ServiceContract,
)


def compound_history(compound: Compound, *, personal_data: bool = False) -> list[HistoryEntry]:
    """`personal_data`: the reader is the owning street's officer, who sees members' names in full."""
    committee_ids = compound.committees.values("pk")
    sources = [
        (_("小区"), Compound.history.filter(id=compound.pk)),
        (_("户数"), CompoundHouseholdsPeriod.history.filter(compound_id=compound.pk)),
        (_("房屋类型"), CompoundHousingTypePeriod.history.filter(compound_id=compound.pk)),
        (_("所属社区"), CompoundCommunityPeriod.history.filter(compound_id=compound.pk)),
        (_("管理模式"), CompoundManagementPeriod.history.filter(compound_id=compound.pk)),
        (_("业委会"), OwnersCommittee.history.filter(compound_id=compound.pk)),
        (_("业委会成员"), CommitteeMember.history.filter(committee_id__in=committee_ids)),
        (_("物业服务合同"), ServiceContract.history.filter(compound_id=compound.pk)),
        (_("党组织覆盖"), PartyOrganisationCompound.history.filter(compound_id=compound.pk)),
    ]
    return history_entries(sources, personal_data=personal_data)
