"""The beat schedule: periodic work that keeps queued and scheduled jobs moving."""

BEAT_SCHEDULE = {
    "dispatch-due-jobs": {"task": "meibo.jobs.dispatch_due", "schedule": 60.0},
    # Does nothing unless MEIBO_EMAIL_BOUNCE_MAILBOX is set.
    "read-bounce-mailbox": {"task": "meibo.email.bounces_look", "schedule": 300.0},
}
