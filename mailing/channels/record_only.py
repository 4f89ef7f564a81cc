"""記録のみ: the mailing went out some other way (printed by a shop, handed over at a
visit); executing records it in every recipient's history and nothing is sent.

It still stands for a medium (post by default), so that people who opted out of that
medium, or cannot be reached by it, are left out exactly as a real send would leave them out.
"""

from mailing.models import Mailing, MailingRecipient

CHANNEL = Mailing.Channel.RECORD_ONLY
MEDIA = (Mailing.Medium.POST, Mailing.Medium.EMAIL, Mailing.Medium.FAX)
# Recorded as sent at execution.
RECIPIENT_STATE = MailingRecipient.State.SENT


def prepared(*, mailing: Mailing) -> str:
    return Mailing.State.DONE
