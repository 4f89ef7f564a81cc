"""FAX送付状: a fax cover sheet per recipient, sent from the office fax with the documents."""

from mailing.models import Mailing, MailingRecipient

CHANNEL = Mailing.Channel.FAX
MEDIA = (Mailing.Medium.FAX,)
# Sent once printed (mailing.printing.services.runs).
RECIPIENT_STATE = MailingRecipient.State.QUEUED


def prepared(*, mailing: Mailing) -> str:
    # Printing needs choices made by a person (template, subject, pages).
    return Mailing.State.READY
