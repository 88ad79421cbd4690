from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'accounts'
    verbose_name = "用户与权限"

    def ready(self):
        from .admin import register_lockout_admins

        register_lockout_admins()
