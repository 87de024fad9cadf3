import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bsc_site.settings")

app = Celery("bsc_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
