"""The beat schedule: periodic work that keeps queued and scheduled jobs moving."""

BEAT_SCHEDULE = {
    "dispatch-due-jobs": {"task": "meibo.jobs.dispatch_due", "schedule": 60.0},
}
