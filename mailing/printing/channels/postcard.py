"""はがき宛名: the vertical address side of postcards (年賀状, 暑中見舞い)."""

from mailing.models import Mailing, MailingRecipient

CHANNEL = Mailing.Channel.POSTCARD
MEDIA = (Mailing.Medium.POST,)
# Sent once printed (mailing.printing.services.runs).
RECIPIENT_STATE = MailingRecipient.State.QUEUED


def prepared(*, mailing: Mailing) -> str:
    # Printing needs choices made by a person (sheet, start position, template).
    return Mailing.State.READY
