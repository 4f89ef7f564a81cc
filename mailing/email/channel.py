"""メール: executing a selection set on the e-mail channel writes the recipients queued and
leaves the mailing ready; staff then choose the template and sender (mailings/{id}/email/)
and start it, now or at a scheduled time."""

from mailing.models import Mailing, MailingRecipient

CHANNEL = Mailing.Channel.EMAIL
MEDIA = (Mailing.Medium.EMAIL,)
RECIPIENT_STATE = MailingRecipient.State.QUEUED


def prepared(*, mailing: Mailing) -> str:
    return Mailing.State.READY
