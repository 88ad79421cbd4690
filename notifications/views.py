"""The inbox and the notification settings. Thin: each user only ever reaches their own notices
(another user's notice is a 404, as if it did not exist)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import NotificationSettingsForm
from .notices import KINDS_BY_ROLE

INBOX_PAGE_SIZE = 25


@login_required
def inbox(request):
    notices = selectors.inbox(user=request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def mark_read(request, pk):
    """Mark the notice read; with `open`, go on to what it is about."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404
    if request.POST.get("open") and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def notification_settings(request):
    kinds = [str(kind) for kind in KINDS_BY_ROLE.get(request.user.role, [])]
    form = NotificationSettingsForm(request.POST if request.method == "POST" else None, kinds=kinds,
                                    current=selectors.settings_of(user=request.user))
    if request.method == "POST" and form.is_valid():
        services.notification_settings_save(user=request.user, choices=form.choices())
        messages.success(request, _("通知方式已保存。"))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})
