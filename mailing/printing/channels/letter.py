"""送り状・添え状: a cover letter per recipient, from a template."""

from mailing.models import Mailing, MailingRecipient

CHANNEL = Mailing.Channel.LETTER
MEDIA = (Mailing.Medium.POST,)
# Sent once printed (mailing.printing.services.runs).
RECIPIENT_STATE = MailingRecipient.State.QUEUED


def prepared(*, mailing: Mailing) -> str:
    # Printing needs choices made by a person (sheet, start position, template).
    return Mailing.State.READY
