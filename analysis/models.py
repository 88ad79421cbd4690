"""What the analysis pages keep: the monthly bulletins generated for the districts."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def bulletin_upload_to(bulletin: "Bulletin", filename: str) -> str:
    return f"bulletins/{bulletin.period:%Y-%m}/{filename}"


class Bulletin(models.Model):
    """One generation of a month's bulletin: its PDF and .xlsx, written by a worker
    (analysis.generate_bulletin) and kept as sent, so a later recompute never changes a bulletin
    already issued. Files live in private storage (MEDIA_ROOT) and are served only through the portal."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    period = models.DateField(_("月份"), help_text=_("该月第一天"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("发起人"))
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to=bulletin_upload_to, max_length=200, blank=True)
    xlsx = models.FileField(_("Excel 文件"), upload_to=bulletin_upload_to, max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True)

    class Meta:
        verbose_name = _("月度通报")
        verbose_name_plural = _("月度通报")
        ordering = ["-period", "-requested_at"]
        indexes = [models.Index(fields=["period", "status"], name="bulletin_period_status_idx")]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.get_status_display()}"


class SavedPivot(models.Model):
    """A pivot table (数据透视) saved under a name by its owner, and shared by its link.

    `params` holds the selection as the pivot form validated it (analysis.pivot.PivotSelection.params);
    every opening validates it again and applies the viewer's own area scope, so a link never shows
    anyone more than they may see, and a selection that no longer validates says why.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_pivots",
                              verbose_name=_("创建人"))
    name = models.CharField(_("名称"), max_length=60)
    params = models.JSONField(_("透视条件"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("已保存的数据透视")
        verbose_name_plural = _("已保存的数据透视")
        ordering = ["owner", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_pivot_owner_name_unique")]

    def __str__(self) -> str:
        return self.name
