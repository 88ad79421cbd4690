"""Login lockout: django-axes locks a username at an address after AXES_FAILURE_LIMIT failures; this
handler also locks an address whose failures over all usernames reach LOGIN_ADDRESS_FAILURE_LIMIT
in the same cool-off window. Password spraying (one guess at each of many accounts) never reaches
any one account's limit, but it does reach its address's.
"""
from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class AccountAndAddressLockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        """Asked before every authentication: a locked address gets no password checked."""
        return super().is_locked(request, credentials) or self._address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """After axes has counted the failure: an address now over its limit gets the lockout page."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False) or not self._address_locked(request):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send("axes", request=request, username=get_client_username(request, credentials),
                             ip_address=request.axes_ip_address)

    @staticmethod
    def _address_locked(request) -> bool:
        """Failures from the request's address (common.security.client_ip, as axes read it) over every
        username within the cool-off window, against the address's limit."""
        recent = AccessAttempt.objects.filter(ip_address=request.axes_ip_address,
                                              attempt_time__gte=get_cool_off_threshold(request))
        failures = recent.aggregate(total=Sum("failures_since_start"))["total"] or 0
        return failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
