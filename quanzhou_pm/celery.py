import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")

app = Celery("quanzhou_pm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
