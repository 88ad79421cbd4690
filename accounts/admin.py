from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    area_fieldset = (_("角色与区域"), {"fields": ("role", "district", "street")})
    fieldsets = (*DjangoUserAdmin.fieldsets, area_fieldset)
    # The role's area constraints are checked on creation, so they are part of the add form.
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, area_fieldset)
    list_display = ("username", "last_name", "first_name", "role", "district", "street", "is_staff", "is_active")
    list_filter = ("role", ("district", admin.RelatedOnlyFieldListFilter), "is_staff", "is_superuser", "is_active")
    list_select_related = ("district", "street")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("district", "street")
    show_full_result_count = False
