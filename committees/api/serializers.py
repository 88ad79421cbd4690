from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.scope import AreaScope

from committees.models import (
    CommitteeMember,
    CommitteeStatus,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)


class CommitteeMemberSerializer(serializers.ModelSerializer):
    """Name, role and party membership only: phone numbers never leave the portal through the API, and
    a name is masked (张*) for every caller but the owning street's own officers (common.privacy)."""

    name = serializers.SerializerMethodField(help_text="姓名；本街道(乡镇)工作人员以外只见姓氏（张*）。 / "
                                                       "Name, masked (张*) outside the owning street's officers.")

    class Meta:
        model = CommitteeMember
        fields = ["name", "role", "is_party_member"]

    @extend_schema_field(str)
    def get_name(self, member) -> str:
        if "scope" not in self.context:
            self.context["scope"] = AreaScope.for_user(getattr(self.context.get("request"), "user", None))
        scope = self.context["scope"]
        street_id = member.committee.compound.community.parent_id
        return member.name if scope.sees_personal_data(street_id) else member.masked_name


class OwnersCommitteeSerializer(serializers.ModelSerializer):
    compound = serializers.CharField(source="compound.code", read_only=True, help_text="小区代码。 / Compound code.")
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    status = serializers.SerializerMethodField(help_text="状态日期当天的状态。 / Status on the as_of day.")
    members = CommitteeMemberSerializer(many=True, read_only=True)

    class Meta:
        model = OwnersCommittee
        fields = ["id", "compound", "compound_name", "preparation_started_on", "elected_on", "term_start", "term_end",
                  "renewal_started_on", "dissolved_on", "chair_is_branch_secretary", "status", "members", "updated_at"]

    def get_status(self, committee) -> CommitteeStatus:
        return committee.status_on(self.context.get("as_of") or timezone.localdate())


class CompoundCoverageSerializer(serializers.ModelSerializer):
    compound = serializers.CharField(source="compound.code", read_only=True)

    class Meta:
        model = PartyOrganisationCompound
        fields = ["compound", "covered_from", "covered_to"]


class FirmCoverageSerializer(serializers.ModelSerializer):
    firm = serializers.CharField(source="firm.credit_code", read_only=True)

    class Meta:
        model = PartyOrganisationFirm
        fields = ["firm", "covered_from", "covered_to"]


class PartyOrganisationSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code", read_only=True, help_text="所属区县代码。 / District code.")
    street = serializers.CharField(source="street.code", read_only=True, allow_null=True, default=None,
                                   help_text="所属街道代码（如有）。 / Street code, if any.")
    active = serializers.BooleanField(source="active_on_day", read_only=True,
                                      help_text="状态日期当天是否存续。 / Active on the as_of day.")
    compounds = CompoundCoverageSerializer(source="compound_links", many=True, read_only=True,
                                           help_text="覆盖的小区及覆盖期间。 / Compounds covered, with dates.")
    firms = FirmCoverageSerializer(source="firm_links", many=True, read_only=True,
                                   help_text="覆盖的企业及覆盖期间。 / Firms covered, with dates.")

    class Meta:
        model = PartyOrganisation
        fields = ["code", "name", "kind", "form", "district", "street", "established_on", "dissolved_on", "active",
                  "compounds", "firms", "updated_at"]
