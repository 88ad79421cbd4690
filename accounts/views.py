from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .landing import landing_url_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """Each role lands on its own page; roles without one yet see their summary here."""
    target = landing_url_for(request.user)
    if target:
        return redirect(target)
    return render(request, "accounts/home.html")
