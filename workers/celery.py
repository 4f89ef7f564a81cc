"""The Celery application: Redis broker, late acks, one queue per kind of work."""

import os

from celery import Celery
from kombu import Queue

from workers.beat import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")

QUEUES = ("default", "imports", "extract", "render", "mail")

app = Celery("meibo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.beat_schedule = BEAT_SCHEDULE
app.autodiscover_tasks(["workers"], related_name="tasks")
