from rest_framework import serializers

from common.api.serializers import ModelSerializer, PageListSerializer
from communities.models import Community, Compound, ManagementMode, PropertyFirm, ServiceContract


class CommunitySerializer(ModelSerializer):
    street = serializers.CharField(source="street.code", read_only=True, help_text="所属街道代码。 / Street code.")

    class Meta:
        model = Community
        fields = ["code", "name", "kind", "street", "updated_at"]


class CompoundSerializer(ModelSerializer):
    community = serializers.CharField(source="community.code", read_only=True, help_text="所属社区代码。 / Community code.")
    street = serializers.CharField(source="community.street.code", read_only=True, help_text="所属街道代码。 / Street code.")
    district = serializers.CharField(source="community.street.district.code", read_only=True,
                                     help_text="所属区县代码。 / District code.")
    management_mode = serializers.ChoiceField(
        source="mode_on_day", choices=ManagementMode.choices, read_only=True,
        help_text="状态日期当天的管理模式。 / Management mode on the as_of day.")
    merged_into = serializers.CharField(source="merged_into.code", read_only=True, allow_null=True, default=None,
                                        help_text="并入的小区代码。 / Code of the compound it was merged into.")
    counted = serializers.BooleanField(source="active_on_day", read_only=True, help_text=(
        "状态日期当天是否计入统计（已纳入管理、未停止计入）。 / Counted (started, not closed) on the as_of day."))

    class Meta:
        model = Compound
        list_serializer_class = PageListSerializer
        fields = ["code", "name", "community", "street", "district", "address", "households", "buildings",
                  "year_built", "housing_type", "is_old_compound", "management_mode", "safety_certified_on",
                  "active_from", "closed_on", "merged_into", "counted", "updated_at"]


class PropertyFirmSerializer(ModelSerializer):
    registered_district = serializers.CharField(source="registered_district.code", read_only=True,
                                                help_text="注册区县代码。 / Registered district code.")
    is_sanyou = serializers.BooleanField(read_only=True, help_text="是否“三有”企业。 / Whether the firm is 三有.")

    class Meta:
        model = PropertyFirm
        fields = ["credit_code", "name", "registered_district", "staff_count", "has_fixed_premises", "in_business",
                  "is_state_owned", "star_rating", "is_sanyou", "updated_at"]


class ServiceContractSerializer(ModelSerializer):
    firm = serializers.CharField(source="firm.credit_code", read_only=True,
                                 help_text="企业统一社会信用代码。 / The firm's credit code.")
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    compound = serializers.CharField(source="compound.code", read_only=True, help_text="小区代码。 / Compound code.")
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    in_force = serializers.BooleanField(source="in_force_on_day", read_only=True,
                                        help_text="状态日期当天是否有效。 / In force on the as_of day.")

    class Meta:
        model = ServiceContract
        fields = ["id", "firm", "firm_name", "compound", "compound_name", "starts_on", "ends_on", "terminated_on",
                  "termination_reason", "in_force", "updated_at"]
