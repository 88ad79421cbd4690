"""The administrative hierarchy: city → county-level unit → street/township.

Communities live in the communities app. Every area has a stable code that identifies it in the
API and in files; names may change, codes do not.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.dated import DatedFact, dated_constraints
from common.models import TimeStampedModel


class AreaLevel(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道(乡镇)")
    COMMUNITY = "community", _("社区(村)")


class Area(TimeStampedModel):
    """Common fields of every area; `level` and `compound_path` say where it sits in the tree."""

    level: AreaLevel
    # The ORM path from Compound to this area, used to count compounds under it.
    compound_path: str

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        from districts.selectors import area_code_taken

        if self.code and area_code_taken(self.code, exclude=self):
            raise ValidationError({"code": ValidationError(_("代码 %(code)s 已被其他区域使用。") % {"code": self.code},
                                                           code="unique")})


class City(Area):
    level = AreaLevel.CITY
    compound_path = "community__street__district__city"
    scope_paths = {"district": "districts", "street": "districts__streets"}

    history = HistoricalRecords()

    class Meta(Area.Meta):
        verbose_name = _("城市")
        verbose_name_plural = _("城市")


class District(Area):
    """A county-level unit: district, county-level city, county, or a functional zone."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        COUNTY_CITY = "county_city", _("县级市")
        COUNTY = "county", _("县")
        FUNCTIONAL_ZONE = "zone", _("功能区")

    level = AreaLevel.DISTRICT
    compound_path = "community__street__district"
    scope_paths = {"district": "pk", "street": "streets"}

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="districts", verbose_name=_("所属城市"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)

    history = HistoricalRecords()

    class Meta(Area.Meta):
        verbose_name = _("区县")
        verbose_name_plural = _("区县")


class Street(Area):
    """A street (街道) or township (镇 / 乡): the unit that reports monthly.

    `district` is the county-level unit that administers it today: the county its division code
    is listed under, or the functional zone recorded in ZoneAdministration.
    """

    class Kind(models.TextChoices):
        STREET = "street", _("街道")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")
        # 开发区, 工业区, 农场...: the statistical codes' 类似乡级单位 (codes 4xx).
        OTHER = "other", _("类似乡级单位")

    level = AreaLevel.STREET
    compound_path = "community__street"
    scope_paths = {"district": "district", "street": "pk"}

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("所属区县"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)

    history = HistoricalRecords()

    class Meta(Area.Meta):
        verbose_name = _("街道(乡镇)")
        verbose_name_plural = _("街道(乡镇)")


class ZoneAdministration(DatedFact):
    """A functional zone administers a street over [valid_from, valid_to); the street keeps its
    official code (listed under a county in the division data) and has the zone as its parent."""

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="zone_administrations",
                               verbose_name=_("街道(乡镇)"))
    zone = models.ForeignKey(District, on_delete=models.PROTECT, related_name="zone_administrations",
                             limit_choices_to={"kind": District.Kind.FUNCTIONAL_ZONE}, verbose_name=_("功能区"))

    owner_field = "street"
    value_fields = ("zone_id",)
    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("功能区托管街道")
        verbose_name_plural = _("功能区托管街道")
        constraints = dated_constraints("zone_administration", "street")

    def __str__(self) -> str:
        return f"{self.zone} → {self.street}"

    def clean(self):
        super().clean()
        if self.zone_id and self.zone.kind != District.Kind.FUNCTIONAL_ZONE:
            raise ValidationError({"zone": _("托管单位必须是功能区。")})
