"""The signed token that names one recipient of one mailing in everything that comes back:
the VERP return path (``bounce+<token>@domain``), the unsubscribe link and the tracking URLs.

``<recipient id>-<16 hex of HMAC-SHA256>``: lower-case only, because mail systems may fold
the case of a local part, and unguessable, so nobody can unsubscribe or bounce someone else.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from django.conf import settings


@cache
def _key() -> bytes:
    return hashlib.sha256(b"meibo.email.recipient-token:" + settings.SECRET_KEY.encode()).digest()


def recipient_token(recipient_id: int) -> str:
    text = str(recipient_id)
    digest = hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()
    return f"{text}-{digest[:16]}"


def token_recipient(token: str) -> int | None:
    """The recipient id a token names, or None when it is malformed or forged."""
    number, _, signature = token.strip().lower().partition("-")
    if not number.isdigit() or len(signature) != 16:
        return None
    expected = recipient_token(int(number)).partition("-")[2]
    return int(number) if hmac.compare_digest(expected, signature) else None


def verp_token(address: str) -> int | None:
    """The recipient named by a VERP address ``bounce+<token>@domain``, or None."""
    local = address.strip().strip("<>").rpartition("@")[0]
    _, plus, token = local.partition("+")
    return token_recipient(token) if plus else None
