"""宛名ラベル: printed on a label sheet and stuck on an envelope or a box (お中元・お歳暮)."""

from mailing.models import Mailing, MailingRecipient

CHANNEL = Mailing.Channel.LABEL
MEDIA = (Mailing.Medium.POST,)
# Sent once printed (mailing.printing.services.runs).
RECIPIENT_STATE = MailingRecipient.State.QUEUED


def prepared(*, mailing: Mailing) -> str:
    # Printing needs choices made by a person (sheet, start position, template).
    return Mailing.State.READY
