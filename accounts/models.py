import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.models import District, Street


class Role(models.TextChoices):
    CITY_STAFF = "city_staff", _("市住建局工作人员")
    DISTRICT_STAFF = "district_staff", _("区县住建局工作人员")
    STREET_OFFICER = "street_officer", _("街道(乡镇)工作人员")
    JUDGE = "judge", _("评审专家/部门")
    API_CLIENT = "api_client", _("接口调用系统")


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser` names no role; a superuser serves the whole city, with no area.
        extra_fields.setdefault("role", Role.CITY_STAFF)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A portal user: a role and, for district staff and street officers, the one area they serve.

    API clients may be limited to a district or a street the same way; without one they read
    city-wide. Which areas a user may see or change is decided in accounts.scope, nowhere else.
    """

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STREET_OFFICER)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="users", verbose_name=_("所属区县"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="users", verbose_name=_("所属街道(乡镇)"))
    # How others know the person: a judge's department or university, an officer's bureau.
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True,
                                    help_text=_("例如“泉州市发展和改革委员会”；在评审、推荐等页面与姓名一同显示"))

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(condition=~Q(role=Role.DISTRICT_STAFF) | Q(district__isnull=False, street__isnull=True),
                                   name="district_staff_has_district"),
            models.CheckConstraint(condition=~Q(role=Role.STREET_OFFICER) | Q(street__isnull=False),
                                   name="street_officer_has_street"),
            models.CheckConstraint(condition=~Q(role__in=[Role.CITY_STAFF, Role.JUDGE])
                                   | Q(district__isnull=True, street__isnull=True),
                                   name="citywide_roles_have_no_area"),
        ]

    def clean(self):
        super().clean()
        if self.role == Role.DISTRICT_STAFF and (not self.district_id or self.street_id):
            raise ValidationError({"district": _("区县工作人员须且只能指定所属区县。")})
        if self.role == Role.STREET_OFFICER and not self.street_id:
            raise ValidationError({"street": _("街道工作人员须指定所属街道(乡镇)。")})
        if self.role in (Role.CITY_STAFF, Role.JUDGE) and (self.district_id or self.street_id):
            raise ValidationError(_("市级工作人员和评审专家不绑定区域。"))
        if self.street_id and self.district_id and self.street.parent_id != self.district_id:
            raise ValidationError({"street": _("所属街道不在所属区县内。")})

    def get_full_name(self) -> str:
        # Chinese order: family name first, no space (王芳); Latin names keep "given family".
        if any("\u4e00" <= char <= "\u9fff" for char in self.last_name + self.first_name):
            return f"{self.last_name}{self.first_name}".strip()
        return super().get_full_name()

    @property
    def display_name(self) -> str:
        """How the person appears to others: full name and organisation, "王芳（泉州市发改委）"."""
        name = self.get_full_name() or self.get_username()
        return f"{name}（{self.organisation}）" if self.organisation else name

    def save(self, *args, **kwargs):
        # A street implies its district: keeps district-level scoping one lookup away.
        if self.street_id and not self.district_id and self.role == Role.API_CLIENT:
            self.district_id = self.street.parent_id
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A key another system sends as `Authorization: Token <key>`; it acts as its user, in its user's scope.

    Only a SHA-256 digest of the key is stored: the key itself is shown once, when staff create it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=100, help_text=_("调用方系统名称，例如“市大数据平台”"))
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False, help_text=_("用于辨认密钥，不能用于认证"))
    key_digest = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(_("允许写入"), default=False, help_text=_("未勾选时只能读取，写操作返回 403"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_prefix}…）"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def assign_new_key(self) -> str:
        """Give the token a fresh random key and return it: the only moment the key is known."""
        key = secrets.token_urlsafe(32)
        self.key_prefix, self.key_digest = key[:8], self.digest(key)
        return key

    @classmethod
    def issue(cls, *, user: User, name: str, can_write: bool = False) -> tuple["ApiToken", str]:
        token = cls(user=user, name=name, can_write=can_write)
        key = token.assign_new_key()
        token.save()
        return token, key

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
