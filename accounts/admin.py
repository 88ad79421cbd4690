from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.admin import PersonalFieldsAdminMixin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(PersonalFieldsAdminMixin, DjangoUserAdmin):
    area_fieldset = (_("角色与区域"), {"fields": ("role", "organisation", "district", "street")})
    fieldsets = (*DjangoUserAdmin.fieldsets, area_fieldset)
    # The role's area constraints are checked on creation, so they are part of the add form.
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, area_fieldset)
    list_display = ("username", "last_name", "first_name", "organisation", "role", "district", "street", "is_staff", "is_active")
    list_filter = ("role", ("district", admin.RelatedOnlyFieldListFilter), "is_staff", "is_superuser", "is_active")
    list_select_related = ("district", "street")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("district", "street")
    show_full_result_count = False


@admin.register(ApiToken)
class ApiTokenAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    list_display = ("name", "user", "key_prefix", "can_write", "created_at", "last_used_at", "revoked_at")
    list_filter = ("can_write", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "key_prefix")
    autocomplete_fields = ("user",)
    readonly_fields = ("key_prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        key = None if change else obj.assign_new_key()
        super().save_model(request, obj, form, change)
        if key:
            self.message_user(request, _("令牌已创建，密钥只显示这一次，请立即复制交给调用方：%(key)s") % {"key": key},
                              messages.WARNING)

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("已吊销 %(count)d 个令牌。") % {"count": count})


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    @admin.action(description=_("清理已过冷却期的登录尝试"))
    def cleanup_expired_attempts(self, request, queryset):
        # axes measures the cool-off from the login it is handling; an admin action is none, and
        # without this the action crashed with AttributeError. None means "from now".
        request.axes_attempt_time = None
        return super().cleanup_expired_attempts(request, queryset)


def register_lockout_admins() -> None:
    """axes' admins of the login lockout records, again with the project's change list (common.admin).

    Called once every app's admin module is loaded (AccountsConfig.ready), when axes, last of the
    apps, has registered its own: registered again they keep their place, last, in the admin."""
    for model, model_admin in ((AccessAttempt, AccessAttemptAdmin), (AccessLog, AccessLogAdmin),
                               (AccessFailureLog, AccessFailureLogAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, type(model_admin.__name__, (PersonalFieldsAdminMixin, model_admin), {}))
