from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from common.security import client_ip

from .forms import RateLimitedPasswordResetForm
from .landing import landing_url_for, public_home


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def home(request):
    """Visitors see the public home; each role lands on its own page, roles without one see their summary."""
    if not request.user.is_authenticated:
        return public_home(request)
    target = landing_url_for(request.user)
    if target:
        return redirect(target)
    return render(request, "accounts/home.html")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer for a known and an unknown address (the done page); too many requests from one
    client or for one address are refused with 429, whichever the address."""

    template_name = "accounts/password_reset.html"
    form_class = RateLimitedPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client_ip": client_ip(self.request)}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("email", code="rate_limited"):
            response.status_code = 429
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
