"""City staff's page of the area tree: which streets each functional zone administers, and since when.
The change goes through districts.services.street_zone_change."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import scope_for
from communities.views import apply_errors

from . import selectors
from .forms import StreetZoneForm
from .services import street_zone_change


@login_required
@require_http_methods(["GET", "POST"])
def zones(request):
    if not scope_for(request.user).can_change_area_tree:
        raise PermissionDenied
    form = StreetZoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            street = street_zone_change(**form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(street)s 自 %(on)s 起由 %(unit)s 管理。") % {
                "street": street.name, "on": form.cleaned_data["on"].isoformat(), "unit": street.district.name})
            return redirect("districts:zones")
    today = timezone.localdate()
    return render(request, "districts/zones.html", {
        "form": form, "today": today, "zones": selectors.zones_with_streets(today)})
