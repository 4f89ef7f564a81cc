"""The Celery application: Redis broker, late acks, one queue per kind of work."""

import os
from collections.abc import Callable
from typing import Any

from celery import Celery
from kombu import Queue

from workers.beat import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")

QUEUES = ("default", "imports", "extract", "render", "mail")

app = Celery("meibo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]

# The queue of each task by name, filled by queued_task(). The router sends every
# publication of a task there (delay, send_task, beat, a retry); Celery deprecates giving
# the queue as a task attribute.
TASK_QUEUES: dict[str, str] = {}


def route_task(
    name: str, args: Any, kwargs: Any, options: dict, task: Any = None, **_: Any
) -> dict[str, str] | None:
    queue = TASK_QUEUES.get(name)
    return {"queue": queue} if queue else None


def queued_task(*, name: str, queue: str, **options: Any) -> Callable:
    """``app.task`` for a task that runs on ``queue``."""
    if queue not in QUEUES:
        raise ValueError(f"task {name}: unknown queue '{queue}'")
    TASK_QUEUES[name] = queue
    return app.task(name=name, **options)


app.conf.task_routes = (route_task,)
app.conf.beat_schedule = BEAT_SCHEDULE
app.autodiscover_tasks(["workers"], related_name="tasks")
