from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self):
        from django.core.signals import request_finished

        from . import eager_beat, security  # noqa: F401  (security registers the production system checks)

        request_finished.connect(eager_beat.after_request, dispatch_uid="common.eager_beat")
