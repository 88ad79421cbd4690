"""The Django admin as the city's system administrators' tool: superusers only.

Every role's work (registry, monthly data, review, selection) is in the portal's pages, where the
services and the area scope apply; the admin reaches every table unscoped, so nobody else gets in,
whatever their staff flag or permissions.
"""
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def may_use_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


class SystemAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，或该账号不是系统管理员。管理后台仅供系统管理员使用，日常工作请在平台页面完成。"),
    }

    def confirm_login_allowed(self, user):
        if not may_use_admin(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})


class SystemAdminSite(AdminSite):
    site_header = _("泉州市物业管理提升监管平台")
    site_title = _("物业监管平台管理")
    index_title = _("管理后台（系统管理员）")
    login_form = SystemAdminAuthenticationForm

    def has_permission(self, request):
        return may_use_admin(request.user)
