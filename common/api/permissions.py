"""Read and write scopes of API tokens; what a user may see or change is decided by accounts.scope."""
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken


class TokenWriteScope(BasePermission):
    """A read-only token may only read; session users and write tokens pass on to the scope checks."""

    message = _("该令牌为只读令牌，不能执行写操作。")

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or not isinstance(request.auth, ApiToken):
            return True
        return request.auth.can_write
