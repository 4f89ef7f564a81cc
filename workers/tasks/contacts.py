from api.contacts.services.notifications import (
    TRANSIENT_EMAIL_ERRORS,
    notification_emails_send,
)
from workers.celery import queued_task


@queued_task(
    name="meibo.contacts.email_notifications",
    queue="mail",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_EMAIL_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail the report notifications (報告) that have not been e-mailed yet."""
    return notification_emails_send(notification_ids=notification_ids)
