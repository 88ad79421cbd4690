from django.contrib.admin.apps import AdminConfig


class SystemAdminConfig(AdminConfig):
    """django.contrib.admin with the superusers-only site (common.admin_site)."""

    default_site = "common.admin_site.SystemAdminSite"
