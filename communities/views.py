"""The registry pages of a street: compounds, contracts and firms. Thin: the user's area scope
decides what is visible (404 otherwise) and what may change (accounts.scope, 403), the services
every write, and their Chinese messages come back onto the form fields they name.
"""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.scope import AreaScope
from committees.election_file import elections_import
from common.history import history_entries
from districts.models import District, Street
from districts.selectors import area_children

from . import registry_file, selectors, services
from .history import compound_history
from .filtersets import CompoundFilterSet, PropertyFirmFilterSet
from .forms import (
    CloseForm,
    CommunityChangeForm,
    CompoundCreateForm,
    CompoundEditForm,
    ContractEndForm,
    ContractForm,
    DelistForm,
    FirmEditForm,
    FirmFactsForm,
    FirmForm,
    HouseholdsChangeForm,
    HousingTypeChangeForm,
    ListingForm,
    ManagementModeChangeForm,
    RegistryUploadForm,
    SafetyForm,
)
from .models import (
    Compound,
    FirmListing,
    PropertyFirm,
    PropertyFirmFactsPeriod,
    ServiceContract,
)

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# People who keep or read the registry in the portal; API clients use the API.
PORTAL_ROLES = (Role.CITY_STAFF, Role.DISTRICT_STAFF, Role.STREET_OFFICER)


def registry_user_required(view):
    """Signed in as city, district or street staff (or a superuser); anyone else is refused."""
    @login_required
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_superuser or request.user.role in PORTAL_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def scope_of(request) -> AreaScope:
    return AreaScope.for_user(request.user)


def visible_or_404(request, queryset, **lookup):
    return get_object_or_404(scope_of(request).filter(queryset), **lookup)


def require_street_change(request, street_id: int) -> None:
    """Registry writes: the street's own officers and city staff (accounts.scope)."""
    if not scope_of(request).can_change_street(street_id):
        raise PermissionDenied


def require_firm_keeping(request, district_id: int) -> None:
    """The firm register and the red/black list: the firm's district staff and city staff."""
    if not scope_of(request).can_keep_firms(district_id):
        raise PermissionDenied


def apply_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: on the field it names, else the whole form."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def saved(request, form, write, success) -> bool:
    """Validate `form` and run `write(cleaned_data)` (a service call). True when it was saved, with
    `success` (text, or a function of the cleaned data) as a message; else the errors are on the form."""
    if not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return False
    messages.success(request, success(form.cleaned_data) if callable(success) else success)
    return True


def flash_errors(request, form) -> None:
    """A small form posted from a detail page that redirects back: its errors as messages."""
    for errors in form.errors.values():
        messages.error(request, "；".join(errors))


def compound_of(request, code: str) -> Compound:
    return visible_or_404(request, Compound.objects.select_related("community__street__district", "merged_into"),
                          code=code)


@registry_user_required
@require_GET
def registry_home(request):
    """Street officers land on their street's registry; others choose a street they may see."""
    scope = scope_of(request)
    if scope.street_id:
        return redirect("registry:street", code=request.user.street.code)
    streets = scope.filter(Street.objects.select_related("district")).order_by("path")
    return render(request, "communities/registry_home.html", {"streets": streets})


@registry_user_required
@require_GET
def street_registry(request, code):
    street = visible_or_404(request, Street.objects.select_related("district"), code=code)
    today = timezone.localdate()
    filterset = CompoundFilterSet(request.GET, queryset=selectors.street_compounds(street)
                                  .select_related("community").order_by("code"))
    compounds = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(compounds, PAGE_SIZE).get_page(request.GET.get("page"))
    attention = selectors.registry_attention(street, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "street": street, "filterset": filterset, "page": page, "query": query.urlencode(),
        "page_filters": PAGE_FILTERS,
        "communities": area_children(street),
        "counts": selectors.registry_counts(street, today),
        "attention": [(key, label, attention[key][:20], attention[key].count()) for key, label in ATTENTION_LABELS],
        "can_change": scope_of(request).can_change_street(street.pk),
        "party_organisations": scope_of(request).filter(street.party_organisations.all()).order_by("code"),
    }
    return render(request, "communities/street_registry.html", context)


# The CompoundFilterSet's filters the page offers (the community is a list of the street's own).
PAGE_FILTERS = ("search", "housing_type", "management_mode", "committee_in_office", "party_covered", "is_old_compound",
                "counted", "as_of")
ATTENTION_LABELS = [
    ("no_committee", _("应建未建业委会的小区")),
    ("term_ending", _("90天内任期届满的业委会")),
    ("term_expired", _("到期未换届的业委会")),
    ("no_party_coverage", _("未覆盖党组织的小区")),
    ("no_contract", _("专业物业服务但无有效合同的小区")),
    ("unmanaged", _("失管小区")),
]


@registry_user_required
@require_http_methods(["GET", "POST"])
def compound_create(request, code):
    street = visible_or_404(request, Street.objects.all(), code=code)
    require_street_change(request, street.pk)
    initial = {"active_from": timezone.localdate()}
    community = area_children(street).filter(code=request.GET.get("community", "")).first()
    if community is not None:
        initial |= {"community": community, "code": services.proposed_compound_code(community)}
    form = CompoundCreateForm(request.POST or None, street=street, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            compound = services.compound_create(**form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记小区 %(name)s（%(code)s）。") % {"name": compound.name, "code": compound.code})
            return redirect("registry:compound", code=compound.code)
    return render(request, "communities/compound_form.html", {"street": street, "form": form, "title": _("登记小区")})


def _change_forms(street, data=None, kind=None):
    forms_ = {
        "households": (_("户数"), HouseholdsChangeForm),
        "housing_type": (_("房屋类型"), HousingTypeChangeForm),
        "management_mode": (_("管理模式"), ManagementModeChangeForm),
        "community": (_("所属社区"), CommunityChangeForm),
    }
    built = {}
    for key, (label, form_class) in forms_.items():
        kwargs = {"street": street} if form_class is CommunityChangeForm else {}
        built[key] = (label, form_class(data if key == kind else None, prefix=key, **kwargs))
    return built


@registry_user_required
@require_GET
def compound_detail(request, code):
    return _compound_page(request, code)


def _compound_page(request, code, *, change_forms=None, bound=None):
    compound = compound_of(request, code)
    street = compound.community.parent
    scope = scope_of(request)
    can_change = scope.can_change_street(street.pk)
    today = timezone.localdate()
    context = {
        "compound": compound, "street": street, "can_change": can_change,
        "households_periods": compound.households_periods.all(),
        "housing_type_periods": compound.housing_type_periods.all(),
        "community_periods": compound.community_periods.select_related("community"),
        "management_periods": compound.management_periods.all(),
        "committees": compound.committees.all(),
        "contracts": compound.contracts.select_related("firm"),
        "party_links": compound.party_links.select_related("organisation"),
        "history": compound_history(compound, personal_data=scope.sees_personal_data(street.pk)),
        "today": today,
        "change_forms": change_forms or _change_forms(street),
        "close_form": (bound or {}).get("close") or CloseForm(),
        "safety_form": (bound or {}).get("safety") or SafetyForm(initial={"on": compound.safety_certified_on}),
        "contract_form": (bound or {}).get("contract") or ContractForm(),
        "contract_end_form": ContractEndForm(),
    }
    return render(request, "communities/compound_detail.html", context)


def _changeable_compound(request, code) -> Compound:
    compound = compound_of(request, code)
    require_street_change(request, compound.community.parent_id)
    return compound


@registry_user_required
@require_http_methods(["GET", "POST"])
def compound_edit(request, code):
    compound = _changeable_compound(request, code)
    form = CompoundEditForm(request.POST or None, instance=compound, street=compound.community.parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.compound_update(compound=compound,
                                         **{name: data[name] for name in services.COMPOUND_EDITABLE_FIELDS})
                services.compound_correct(compound=compound, **form.corrected_values())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("registry:compound", code=compound.code)
    return render(request, "communities/compound_form.html",
                  {"street": compound.community.parent, "form": form, "compound": compound, "title": _("修改小区信息")})


@registry_user_required
@require_POST
def compound_change(request, code, kind):
    """A dated change: households, housing type, management mode or community from the day it took effect."""
    compound = _changeable_compound(request, code)
    street = compound.community.parent
    change_forms = _change_forms(street, request.POST, kind)
    if kind not in change_forms:
        raise Http404
    label, form = change_forms[kind]
    if form.is_valid():
        value, on = form.cleaned_data["value"], form.cleaned_data["on"]
        try:
            if kind == "management_mode":
                services.compound_set_management_mode(compound=compound, mode=value, on=on)
            elif kind == "community":
                services.compound_change_fact(compound=compound, field="community_id", value=value.pk, on=on)
            else:
                services.compound_change_fact(compound=compound, field=kind, value=value, on=on)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(label)s已变更，自 %(on)s 起生效。") % {"label": label, "on": on.isoformat()})
            return redirect("registry:compound", code=compound.code)
    return _compound_page(request, code, change_forms=change_forms)


@registry_user_required
@require_POST
def compound_close(request, code):
    compound = _changeable_compound(request, code)
    form = CloseForm(request.POST)
    if form.is_valid():
        merged_code = form.cleaned_data["merged_into"].strip()
        merged_into = None
        if merged_code:
            merged_into = selectors.street_compounds(compound.community.parent).filter(code=merged_code).first()
            if merged_into is None:
                form.add_error("merged_into", _("本街道没有代码为 %(code)s 的小区。") % {"code": merged_code})
        if form.is_valid():
            try:
                services.compound_close(compound=compound, on=form.cleaned_data["on"], merged_into=merged_into)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("小区自 %(on)s 起停止计入统计。") % {"on": form.cleaned_data["on"].isoformat()})
                return redirect("registry:compound", code=compound.code)
    return _compound_page(request, code, bound={"close": form})


@registry_user_required
@require_POST
def compound_safety(request, code):
    compound = _changeable_compound(request, code)
    form = SafetyForm(request.POST)
    if saved(request, form, lambda data: services.compound_certify_safety(compound=compound, on=data["on"]),
             _("已记录安全生产标准化创建。")):
        return redirect("registry:compound", code=compound.code)
    return _compound_page(request, code, bound={"safety": form})


@registry_user_required
@require_POST
def contract_create(request, code):
    compound = _changeable_compound(request, code)
    form = ContractForm(request.POST)
    if saved(request, form, lambda data: services.contract_create(compound=compound, **data), _("已登记物业服务合同。")):
        return redirect("registry:compound", code=compound.code)
    return _compound_page(request, code, bound={"contract": form})


@registry_user_required
@require_POST
def contract_end(request, contract_id):
    contract = visible_or_404(request, ServiceContract.objects.select_related("compound__community"), pk=contract_id)
    require_street_change(request, contract.compound.community.parent_id)
    form = ContractEndForm(request.POST)
    if not saved(request, form, lambda data: services.contract_end(contract=contract, **data), _("合同已结束。")):
        flash_errors(request, form)
    return redirect("registry:compound", code=contract.compound.code)


# --- The street's registry file ------------------------------------------------------------------

UPLOAD_SESSION_KEY = "registry_upload"
FILE_IMPORTS = {RegistryUploadForm.COMPOUNDS: registry_file.registry_import,
                RegistryUploadForm.ELECTIONS: elections_import}


@registry_user_required
@require_GET
def registry_download(request, code):
    street = visible_or_404(request, Street.objects.all(), code=code)
    response = HttpResponse(registry_file.street_registry_xlsx(street), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{street.code}-小区登记表.xlsx")
    return response


@registry_user_required
@require_http_methods(["GET", "POST"])
def registry_upload(request, code):
    """Upload the street's registry file: a preview of what it would change, nothing saved yet."""
    street = visible_or_404(request, Street.objects.all(), code=code)
    require_street_change(request, street.pk)
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        content, kind = form.cleaned_data["file"].read(), form.cleaned_data["kind"]
        preview = FILE_IMPORTS[kind](content=content, fmt=form.format, scope=scope_of(request), dry_run=True)
        if preview.ok:
            path = default_storage.save(f"registry/uploads/{uuid.uuid4().hex}.{form.format}", ContentFile(content))
            request.session[UPLOAD_SESSION_KEY] = {"street": street.pk, "path": path, "format": form.format, "kind": kind}
    return render(request, "communities/registry_upload.html", {"street": street, "form": form, "preview": preview})


@registry_user_required
@require_POST
def registry_upload_confirm(request, code):
    """Apply the previewed file, all rows or none."""
    street = visible_or_404(request, Street.objects.all(), code=code)
    require_street_change(request, street.pk)
    pending = request.session.get(UPLOAD_SESSION_KEY)
    if not pending or pending.get("street") != street.pk or not default_storage.exists(pending["path"]):
        messages.error(request, _("没有待确认的登记表，请重新上传。"))
        return redirect("registry:upload", code=street.code)
    with default_storage.open(pending["path"], "rb") as file:
        content = file.read()
    outcome = FILE_IMPORTS[pending["kind"]](content=content, fmt=pending["format"], scope=scope_of(request),
                                            dry_run=False)
    default_storage.delete(pending["path"])
    del request.session[UPLOAD_SESSION_KEY]
    if not outcome.ok:
        return render(request, "communities/registry_upload.html",
                      {"street": street, "form": RegistryUploadForm(), "preview": outcome})
    messages.success(request, _("已导入：新增 %(new)s 条、修改 %(updated)s 条。") % {
        "new": outcome.new, "updated": outcome.updated})
    return redirect("registry:street", code=street.code)


# --- Firms and the red/black list (district and city staff) ----------------------------------------


def firm_of(request, credit_code) -> PropertyFirm:
    return visible_or_404(request, PropertyFirm.objects.select_related("registered_district"),
                          credit_code=credit_code.upper())


@registry_user_required
@require_GET
def firm_list(request):
    scope = scope_of(request)
    filterset = PropertyFirmFilterSet(request.GET, queryset=scope.filter(
        PropertyFirm.objects.select_related("registered_district")).order_by("credit_code"))
    firms = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(firms, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    may_add = scope.city_wide or (scope.street_id is None and scope.district_id is not None)
    return render(request, "communities/firm_list.html",
                  {"filterset": filterset, "page": page, "query": query.urlencode(), "may_add": may_add})


@registry_user_required
@require_http_methods(["GET", "POST"])
def firm_create(request):
    scope = scope_of(request)
    districts = scope.filter(District.objects.order_by("code"))
    districts = districts.filter(pk__in=[pk for pk in districts.values_list("pk", flat=True) if scope.can_keep_firms(pk)])
    if not districts.exists():
        raise PermissionDenied
    form = FirmForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        try:
            firm = services.firm_create(**form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记企业 %(name)s。") % {"name": firm.name})
            return redirect("registry:firm", credit_code=firm.credit_code)
    return render(request, "communities/firm_form.html", {"form": form, "title": _("登记物业服务企业")})


@registry_user_required
@require_GET
def firm_detail(request, credit_code):
    return _firm_page(request, credit_code)


def _firm_page(request, credit_code, *, bound=None):
    firm = firm_of(request, credit_code)
    bound = bound or {}
    context = {
        "firm": firm, "can_keep": scope_of(request).can_keep_firms(firm.registered_district_id),
        "facts_periods": firm.facts_periods.all(),
        "listings": firm.listings.all(),
        "contracts": scope_of(request).filter(firm.contracts.select_related("compound")),
        "history": history_entries([
            (_("企业"), PropertyFirm.history.filter(id=firm.pk)),
            (_("“三有”情况"), PropertyFirmFactsPeriod.history.filter(firm_id=firm.pk)),
            (_("红黑榜"), FirmListing.history.filter(firm_id=firm.pk)),
        ]),
        "edit_form": bound.get("edit") or FirmEditForm(instance=firm),
        "facts_form": bound.get("facts") or FirmFactsForm(initial={
            "staff_count": firm.staff_count, "has_fixed_premises": firm.has_fixed_premises,
            "in_business": firm.in_business}),
        "listing_form": bound.get("listing") or ListingForm(),
        "delist_form": DelistForm(),
    }
    return render(request, "communities/firm_detail.html", context)


def _keepable_firm(request, credit_code) -> PropertyFirm:
    firm = firm_of(request, credit_code)
    require_firm_keeping(request, firm.registered_district_id)
    return firm


@registry_user_required
@require_POST
def firm_edit(request, credit_code):
    firm = _keepable_firm(request, credit_code)
    form = FirmEditForm(request.POST, instance=PropertyFirm.objects.get(pk=firm.pk))
    if saved(request, form, lambda data: services.firm_update(firm=firm, **data), _("已保存。")):
        return redirect("registry:firm", credit_code=firm.credit_code)
    return _firm_page(request, credit_code, bound={"edit": form})


@registry_user_required
@require_POST
def firm_facts(request, credit_code):
    firm = _keepable_firm(request, credit_code)
    form = FirmFactsForm(request.POST)
    if saved(request, form, lambda data: services.firm_change_facts(firm=firm, **data),
             lambda data: _("“三有”情况已变更，自 %(on)s 起生效。") % {"on": data["on"].isoformat()}):
        return redirect("registry:firm", credit_code=firm.credit_code)
    return _firm_page(request, credit_code, bound={"facts": form})


@registry_user_required
@require_POST
def firm_listing(request, credit_code):
    firm = _keepable_firm(request, credit_code)
    form = ListingForm(request.POST)
    if saved(request, form, lambda data: services.firm_list(firm=firm, **data), _("已列入榜单。")):
        return redirect("registry:firm", credit_code=firm.credit_code)
    return _firm_page(request, credit_code, bound={"listing": form})


@registry_user_required
@require_POST
def firm_delist(request, listing_id):
    listing = visible_or_404(request, FirmListing.objects.select_related("firm"), pk=listing_id)
    require_firm_keeping(request, listing.firm.registered_district_id)
    form = DelistForm(request.POST)
    if not saved(request, form, lambda data: services.firm_delist(listing=listing, on=data["on"]), _("已移出榜单。")):
        flash_errors(request, form)
    return redirect("registry:firm", credit_code=listing.firm.credit_code)
