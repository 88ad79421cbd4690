"""The settings page: for each kind of notice the user can receive, inbox and email on or off."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NoticeKind


class NotificationSettingsForm(forms.Form):
    def __init__(self, *args, kinds: list[str], current: dict[str, tuple[bool, bool]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            inbox, email = current.get(kind, (True, True))
            self.fields[f"{kind}__inbox"] = forms.BooleanField(label=_("站内消息"), required=False, initial=inbox)
            self.fields[f"{kind}__email"] = forms.BooleanField(label=_("电子邮件"), required=False, initial=email)

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(NoticeKind(kind).label, self[f"{kind}__inbox"], self[f"{kind}__email"]) for kind in self.kinds]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {kind: (self.cleaned_data[f"{kind}__inbox"], self.cleaned_data[f"{kind}__email"]) for kind in self.kinds}
