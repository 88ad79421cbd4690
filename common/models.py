"""Small building blocks shared by every app's models."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """created_at / updated_at on every registry row; updated_at drives incremental sync."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ScheduledRun(models.Model):
    """When each beat entry last ran in-process (common.eager_beat), for the embedded default."""

    name = models.CharField(_("计划任务"), max_length=100, primary_key=True)
    last_run_at = models.DateTimeField(_("上次运行时间"))

    class Meta:
        verbose_name = _("计划任务运行记录")
        verbose_name_plural = _("计划任务运行记录")

    def __str__(self) -> str:
        return self.name
