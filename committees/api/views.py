from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from committees.filtersets import OwnersCommitteeFilterSet, PartyOrganisationFilterSet
from committees.models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)
from common.api.views import ScopedReadOnlyViewSet

from .serializers import OwnersCommitteeSerializer, PartyOrganisationSerializer


@extend_schema_view(
    list=extend_schema(summary="业主委员会列表 / List owners' committees",
                       description="含成员姓名、职务与党员身份；不含联系电话。 / "
                                   "With members' names, roles and party membership; never phone numbers."),
    retrieve=extend_schema(summary="业主委员会详情 / One owners' committee"),
)
class OwnersCommitteeViewSet(ScopedReadOnlyViewSet):
    # Only the columns the API shows: phone numbers are not even read. The community says whose
    # street a member belongs to, which decides whether the name is shown (common.privacy); members
    # come in role order, not name order, which would tell masked names apart.
    queryset = OwnersCommittee.objects.select_related("compound__community").prefetch_related(
        Prefetch("members", queryset=CommitteeMember.objects.order_by("role", "pk")
                 .only("committee_id", "name", "role", "is_party_member")))
    serializer_class = OwnersCommitteeSerializer
    filterset_class = OwnersCommitteeFilterSet

    def get_serializer_context(self):
        context = super().get_serializer_context()
        filterset = self.filterset_class(self.request.query_params, queryset=self.queryset, request=self.request)
        context["as_of"] = filterset.as_of_day
        return context


@extend_schema_view(
    list=extend_schema(summary="党组织列表 / List party organisations",
                       description="小区党支部、物业企业党组织、社区“大党委”及其覆盖的小区和企业。 / "
                                   "Compound branches, firm party organisations and community committees, "
                                   "with the compounds and firms they cover."),
    retrieve=extend_schema(summary="党组织详情 / One party organisation by code"),
)
class PartyOrganisationViewSet(ScopedReadOnlyViewSet):
    queryset = PartyOrganisation.objects.select_related("district", "street").prefetch_related(
        Prefetch("firm_links", queryset=PartyOrganisationFirm.objects.select_related("firm")),
    )
    serializer_class = PartyOrganisationSerializer
    filterset_class = PartyOrganisationFilterSet
    lookup_field = "code"
    cursor_ordering = "code"

    def scope_queryset(self, scope, queryset):
        # The compounds it covers, as the caller's scope sees compounds (a district's organisation
        # covers several streets').
        links = scope.filter(PartyOrganisationCompound.objects.select_related("compound"))
        return scope.filter(queryset).prefetch_related(Prefetch("compound_links", queryset=links))
