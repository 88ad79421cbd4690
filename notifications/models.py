"""Notices to portal users: one row per event and recipient, shown in the inbox and/or emailed.

The row is also the delivery record: `event_key` is unique per recipient, so an event delivered
twice (a re-delivered Celery task, two beat runs on one day) reaches nobody twice, and the email's
state sits on the same row, changed in the transaction that sends it.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    REPORT_SUBMITTED = "report_submitted", _("月报已上报待审核")
    REPORT_RETURNED = "report_returned", _("月报被退回")
    REPORT_APPROVED = "report_approved", _("月报审核通过")
    REPORT_DUE_SOON = "report_due_soon", _("月报即将到截止日")
    REPORT_OVERDUE = "report_overdue", _("月报逾期未报")
    COMMITTEE_TERM_ENDING = "committee_term_ending", _("业委会任期即将届满")
    COMMITTEE_TERM_EXPIRED = "committee_term_expired", _("业委会任期已届满")


class EmailState(models.TextChoices):
    NONE = "none", _("不发邮件")
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("接收人"))
    kind = models.CharField(_("类型"), max_length=40, choices=NoticeKind.choices)
    # What happened, e.g. "report_submitted:transition:123": with the recipient, unique.
    event_key = models.CharField(_("事件标识"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True, help_text=_("门户内的相对地址"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    # The recipient's choice when the event was delivered: shown in the inbox, emailed, or both.
    in_inbox = models.BooleanField(_("站内消息"), default=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    email_state = models.CharField(_("邮件"), max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], condition=Q(in_inbox=True), name="notification_inbox_idx"),
            models.Index(fields=["email_state"], condition=Q(email_state="pending"), name="notification_email_pending_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSetting(models.Model):
    """A user's channels for one kind of notice; without a row, both channels are on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings",
                             verbose_name=_("用户"))
    kind = models.CharField(_("类型"), max_length=40, choices=NoticeKind.choices)
    inbox = models.BooleanField(_("站内消息"), default=True)
    email = models.BooleanField(_("电子邮件"), default=True)

    class Meta:
        verbose_name = _("通知方式")
        verbose_name_plural = _("通知方式")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_setting_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
