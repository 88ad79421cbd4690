"""Admin building blocks. Only superusers get into the admin (common.admin_site); the area scope
still applies to every registry admin, as to every queryset that reaches a user: visibility through
accounts.scope.AreaScope.filter, writes through AreaScope.can_change_street on the object's street
(see common.scoping). Personal data is masked here: a superuser is outside every street.
"""
from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_history_model_for_model

from accounts.scope import AreaScope
from districts.models import District, Street
from districts.selectors import in_area_q, is_scoped, street_path

from .forms import NUMBER_FORMFIELD_OVERRIDES
from .numbers import is_ascii_integer
from .privacy import mask_personal, reaches_personal_field
from .resources import REGISTRY_EXPORT_FORMATS, REGISTRY_IMPORT_FORMATS
from .scoping import may_write_row
from .xlsx import SpreadsheetError


def _may_write(request, model, obj) -> bool:
    """`obj` None asks whether the user may add rows of `model` at all."""
    scope = AreaScope.for_user(request.user)
    path = street_path(model)
    if obj is None:
        # A street officer adds rows of their own street; area-wide rows are the city's.
        return scope.can_change_street(scope.street_id) if path else scope.city_wide
    return may_write_row(scope, obj)


class RowInAreaFormMixin:
    """Refuses a row that, as the form would save it, lies outside the area its writer may change:
    a street officer who leaves a party organisation's street empty would make it the district's."""

    area_scope: AreaScope

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self._errors and not may_write_row(self.area_scope, self.instance):
            place = (street_path(type(self.instance)) or "").split("__")[0]
            self.add_error(place if place in self.fields else None,
                           _("街道(乡镇)工作人员只能登记和修改本街道(乡镇)的记录。"))


class PersonalFieldsChangeList(ChangeList):
    """A change list that never sorts by a personal field: its column is no sort link, `?o=` naming it is
    refused. A date lookup Python or the database cannot hold (`?created_at__year=0`, a month after
    9999-12, `?created_at__gte=0001-01-01` moved to UTC) gets the admin's answer to a bad lookup, a
    redirect with `?e=1`, instead of a 500: Django wraps only the filters' own errors so."""

    def __init__(self, *args, **kwargs):
        try:
            super().__init__(*args, **kwargs)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc
        sortable = self.list_display if self.sortable_by is None else self.sortable_by
        self.sortable_by = [column for column in sortable if not self._sorts_by_personal_field(column)]

    def get_ordering(self, request, queryset):
        for part in (self.params.get(ORDER_VAR) or "").split("."):
            index = part.rpartition("-")[2]
            if index.isdigit() and int(index) < len(self.list_display) and self._sorts_by_personal_field(
                    self.list_display[int(index)]):
                raise DisallowedModelAdminLookup(f"Ordering by column {index} not allowed")
        return super().get_ordering(request, queryset)

    def _sorts_by_personal_field(self, column) -> bool:
        field = self.get_ordering_field(column)
        return isinstance(field, str) and reaches_personal_field(self.model, field.lstrip("-"))


class PersonalFieldsAdminMixin:
    """No filter, lookup or sort on personal fields (common.privacy); search fields must not name them either."""

    def lookup_allowed(self, lookup, value, request):
        return not reaches_personal_field(self.model, lookup) and super().lookup_allowed(lookup, value, request)

    def get_changelist(self, request, **kwargs):
        return PersonalFieldsChangeList


class MaskedHistoryContextHelper(HistoricalRecordContextHelper):
    """The history page's old → new values, a personal field's masked (common.privacy)."""

    def prepare_delta_change_value(self, change, value):
        if change.field in getattr(self.model, "personal_fields", ()) and value not in (None, ""):
            return mask_personal(change.field, value)
        return super().prepare_delta_change_value(change, value)


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, whose revert form saves only what the change view would save.

    The library saves a version's form for anyone who may view history, whatever their change
    permission, read-only fields or area. Here the POST goes through the change view itself: the
    object as it is now, its change permission and scope, its form's fields and its save hooks.
    """

    # False where rows are written only through services (monthly reports and records).
    history_revert_allowed = True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_version_exists(unquote(object_id), version_id)
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not self.history_revert_allowed:
            raise PermissionDenied
        request.reverting_history = True
        return self.changeform_view(request, object_id, extra_context=extra_context)

    def _check_version_exists(self, object_id, version_id):
        versions = get_history_model_for_model(self.model).objects
        try:
            found = versions.filter(**{self.model._meta.pk.attname: object_id, "history_id": version_id}).exists()
        except (ValueError, ValidationError):  # not even an id
            found = False
        if not found:
            raise Http404(_("该历史版本不存在。"))

    def get_inline_instances(self, request, obj=None):
        # The revert form posts the object's own fields, not its inlines' forms.
        if getattr(request, "reverting_history", False):
            return []
        return super().get_inline_instances(request, obj)

    def revert_disabled(self, request, obj=None):
        return not self.history_revert_allowed or super().revert_disabled(request, obj)

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryContextHelper(self.model, historical_record)


class AreaScopedFormfieldsMixin:
    """Foreign-key choices limited to the user's area; names in `unscoped_foreign_keys` are not.

    A reference list shared across areas (e.g. any firm may serve any compound) goes there.
    """

    unscoped_foreign_keys: tuple[str, ...] = ()
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if db_field.name not in self.unscoped_foreign_keys and is_scoped(related):
            kwargs.setdefault("queryset", AreaScope.for_user(request.user).filter(related._default_manager.all()))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AreaScopedAdminMixin(AreaScopedFormfieldsMixin):
    def get_queryset(self, request):
        return AreaScope.for_user(request.user).filter(super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (RowInAreaFormMixin, form), {"area_scope": AreaScope.for_user(request.user)})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # Outside the user's area an object does not exist, for every view of it.
        if obj is None:
            raise Http404(_("对象不存在或不在您的管辖范围内。"))
        return obj

    # simple-history shows the last recorded version of a row it cannot find, which would reveal
    # rows outside the user's area: look the object up through the scope first.
    def history_view(self, request, object_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_in_scope(self, request, object_id):
        if not AreaScope.for_user(request.user).city_wide:
            self.get_object(request, unquote(object_id))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and _may_write(request, self.model, None)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_write(request, self.model, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_write(request, self.model, obj)


class AreaScopedInlineMixin(AreaScopedFormfieldsMixin):
    """An inline's rows are written with the parent: the parent's street decides."""

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and _may_write(request, self.parent_model, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_write(request, self.parent_model, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_write(request, self.parent_model, obj)


class ScopedHistoryAdmin(PersonalFieldsAdminMixin, AreaScopedAdminMixin, GuardedHistoryAdmin):
    # Counting a 500,000-row table on every page is the slowest part of a changelist.
    show_full_result_count = False
    list_per_page = 50


class RegistryAdmin(PersonalFieldsAdminMixin, AreaScopedAdminMixin, ImportExportModelAdmin, GuardedHistoryAdmin):
    """A registry model with history, import and export; files are scoped like the pages."""

    show_full_result_count = False
    list_per_page = 50
    import_formats = REGISTRY_IMPORT_FORMATS
    export_formats = REGISTRY_EXPORT_FORMATS

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"scope": AreaScope.for_user(request.user)}

    def has_import_permission(self, request):
        return super().has_import_permission(request) and self.has_add_permission(request)


def _in_area(queryset, area_model, pk: str):
    area = area_model.objects.filter(pk=pk).only("path").first()
    return queryset.none() if area is None else queryset.filter(in_area_q(queryset.model, area))


class DistrictListFilter(admin.SimpleListFilter):
    """The districts of the user's area; filters through the model's `area_path`."""

    title = _("区县")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        districts = AreaScope.for_user(request.user).filter(District.objects.only("pk", "name"))
        return [(str(d.pk), d.name) for d in districts]

    def queryset(self, request, queryset):
        if not is_ascii_integer(self.value() or ""):
            return queryset
        return _in_area(queryset, District, self.value())


class StreetListFilter(admin.SimpleListFilter):
    """Streets of the chosen district (or of the user's district), so the list stays short at scale."""

    title = _("街道(乡镇)")
    parameter_name = "street"

    def lookups(self, request, model_admin):
        scope = AreaScope.for_user(request.user)
        streets = scope.filter(Street.objects.only("pk", "name"))
        district = request.GET.get(DistrictListFilter.parameter_name, "")
        if is_ascii_integer(district):
            streets = streets.filter(district_id=district)
        elif scope.city_wide:
            return []
        return [(str(s.pk), s.name) for s in streets]

    def queryset(self, request, queryset):
        if not is_ascii_integer(self.value() or ""):
            return queryset
        return _in_area(queryset, Street, self.value())
