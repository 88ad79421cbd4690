from rest_framework import serializers

from districts.models import District, Street


class DistrictSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="city.code", read_only=True, help_text="所属城市代码。 / City code.")

    class Meta:
        model = District
        fields = ["code", "name", "kind", "city", "updated_at"]


class StreetSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code", read_only=True, help_text="所属区县代码。 / District code.")

    class Meta:
        model = Street
        fields = ["code", "name", "kind", "district", "updated_at"]
