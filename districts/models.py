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


PATH_SEPARATOR = "/"


class Area(TimeStampedModel):
    """Common fields of every area. `path` is the codes of its administrative parents and its own,
    each followed by "/" ("350500/350502/350502003/"), so "this area and everything under it" is one
    indexed prefix condition; districts.services keeps it in step with the parents."""

    level: AreaLevel
    # The field naming the parent area, None at the top.
    parent_field: str | None = None
    # Scoped models name the ORM path to the area they belong to; an area belongs to itself.
    area_path = ""
    # The users of the areas below see it (accounts.scope): a street officer sees their district and city.
    shared_below = True

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    path = models.CharField(_("区划路径"), max_length=255, db_index=True, editable=False, default="")
    established = models.DateField(_("设立日期"), null=True, blank=True)
    abolished = models.DateField(_("撤销日期"), null=True, blank=True, help_text=_("该日起不再存在"))

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def parent(self):
        return getattr(self, self.parent_field) if self.parent_field else None

    @property
    def parent_id(self):
        """The parent's primary key, without reading the parent."""
        return getattr(self, f"{self.parent_field}_id") if self.parent_field else None

    def tree_path(self) -> str:
        """The path this area's parent and code give it."""
        parent = self.parent
        return f"{parent.path if parent is not None else ''}{self.code}{PATH_SEPARATOR}"

    def save(self, *args, **kwargs):
        # A new code or parent moves the area, and everything under it, in the tree.
        from districts.services import area_path_sync

        area_path_sync(self)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        from districts.selectors import area_code_taken

        if self.code and area_code_taken(self.code, exclude=self):
            raise ValidationError({"code": ValidationError(_("代码 %(code)s 已被其他区域使用。") % {"code": self.code},
                                                           code="unique")})


class City(Area):
    level = AreaLevel.CITY

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
    parent_field = "city"

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
    parent_field = "district"

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
