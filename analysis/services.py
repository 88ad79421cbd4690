"""Writes of the analysis app: asking for a month's bulletin and generating its files."""
from __future__ import annotations

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import AreaScope
from common.enqueue import send_after_commit
from districts.selectors import top_area
from reporting.periods import is_due, month_label

from . import documents
from .bulletin import bulletin_content
from .models import Bulletin, SavedPivot

logger = logging.getLogger(__name__)


def bulletin_request(*, period: datetime.date, user) -> Bulletin:
    """City staff ask for a month's bulletin; a worker generates it (analysis.generate_bulletin).

    Only a month whose reports are due has figures to report. Asking again while one is queued
    returns that one instead of queueing a second.
    """
    if not AreaScope.for_user(user).can_issue_bulletins:
        raise PermissionDenied(_("只有市级用户可以生成月度通报。"))
    if not is_due(period):
        raise ValidationError(_("%(month)s的月报尚未到截止日，不能生成通报。") % {"month": month_label(period)})
    from .tasks import generate_bulletin

    with transaction.atomic():
        waiting = (Bulletin.objects.select_for_update()
                   .filter(period=period, status__in=[Bulletin.Status.PENDING, Bulletin.Status.RUNNING]).first())
        if waiting is not None:
            return waiting
        bulletin = Bulletin.objects.create(period=period, requested_by=user)
        # With the broker down the request fails at once, so it can be asked again.
        send_after_commit(generate_bulletin, bulletin.pk, on_failure=lambda: Bulletin.objects.filter(
            pk=bulletin.pk).update(status=Bulletin.Status.FAILED, error=_("任务队列暂时不可用，请稍后重试。")))
    return bulletin


def bulletin_generate(*, bulletin_id: int) -> Bulletin:
    """Render the bulletin's PDF and .xlsx from the published figures and keep them with it.

    Idempotent: a bulletin already generated is left as it is (a re-delivered task does nothing).
    """
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin_id)
        if bulletin.status == Bulletin.Status.DONE:
            return bulletin
        bulletin.status = Bulletin.Status.RUNNING
        bulletin.save(update_fields=["status"])
    try:
        city = top_area()
        content = bulletin_content(city, bulletin.period)
        pdf, xlsx = documents.bulletin_pdf(content), documents.bulletin_xlsx(content)
    except Exception as exc:
        logger.exception("bulletin %s failed", bulletin_id)
        Bulletin.objects.filter(pk=bulletin_id).update(status=Bulletin.Status.FAILED, error=str(exc)[:2000])
        raise
    stem = f"{content.city_name}月度通报-{bulletin.period:%Y-%m}"
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin_id)
        bulletin.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        bulletin.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        bulletin.status, bulletin.generated_at, bulletin.error = Bulletin.Status.DONE, timezone.now(), ""
        bulletin.save()
    return bulletin


# --- Saved pivot tables -------------------------------------------------------------------------


# Every pivot page lists its viewer's saved pivots: a bound keeps that list (and the table) small
# whatever a client posts.
MAX_SAVED_PIVOTS = 100


@transaction.atomic
def saved_pivot_create(*, owner, name: str, params: dict) -> SavedPivot:
    """Keep a pivot selection (as the pivot form validated it) under a name of the owner's."""
    # The owner's row, locked: two saves at once cannot both pass the count.
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    if SavedPivot.objects.filter(owner=owner).count() >= MAX_SAVED_PIVOTS:
        raise ValidationError(_("每人最多保存 %(max)d 个数据透视，请先删除不再使用的。") % {"max": MAX_SAVED_PIVOTS})
    return _saved(SavedPivot(owner=owner, name=name.strip(), params=params))


@transaction.atomic
def saved_pivot_update(*, saved: SavedPivot, user, name: str, params: dict) -> SavedPivot:
    """Rename a saved pivot or replace its selection: its owner only (others may open a shared link,
    never change it)."""
    if saved.owner_id != user.pk:
        raise PermissionDenied(_("只能修改自己保存的数据透视。"))
    saved.name, saved.params = name.strip(), params
    return _saved(saved)


@transaction.atomic
def saved_pivot_delete(*, saved: SavedPivot, user) -> None:
    if saved.owner_id != user.pk:
        raise PermissionDenied(_("只能删除自己保存的数据透视。"))
    saved.delete()


def _saved(saved: SavedPivot) -> SavedPivot:
    if SavedPivot.objects.filter(owner=saved.owner, name=saved.name).exclude(pk=saved.pk).exists():
        raise ValidationError({"name": _("您已有名为“%(name)s”的数据透视，请换一个名称。") % {"name": saved.name}})
    saved.full_clean()
    saved.save()
    return saved
