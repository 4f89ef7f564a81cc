"""Reading bounce messages: delivery status notifications (RFC 3464) and the plainer
reports some servers (and Japanese carriers) still send, from a Maildir or an mbox file.

A bounce names its recipient by the VERP address it was sent back to
(``bounce+<token>@domain``), or failing that by the Message-ID of the original message
quoted inside it (``<meibo.<mailing>.<recipient>@domain>``).
"""

from __future__ import annotations

import hashlib
import mailbox
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

from mailing.email.tokens import verp_token

STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
SMTP_CODE = re.compile(r"\b([45]\d\d)[ -]")
MEIBO_ID = re.compile(r"<meibo\.(\d+)\.(\d+)@[^>]+>")
# Headers that carry the address the bounce was delivered to, most specific first.
ENVELOPE_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "To")


@dataclass(frozen=True)
class BounceReport:
    recipient_id: int | None  # by VERP; None: look it up by ``message_ref``
    message_ref: tuple[int, int] | None  # (mailing id, recipient id) from the Message-ID
    email: str
    status: str  # enhanced status code, e.g. 5.1.1 ("" when the report gives none)
    code: int  # SMTP reply code when only that is given
    diagnostic: str
    delayed: bool  # a "still trying" notice, not a failure
    reference: str  # the report's own identity, for processing it once


def _text(part: Message) -> str:
    try:
        payload = part.get_content()
    except (LookupError, KeyError, AttributeError):
        raw = part.get_payload(decode=True) or b""
        payload = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return payload if isinstance(payload, str) else ""


def _verp_recipient(message: Message) -> int | None:
    for header in ENVELOPE_HEADERS:
        for _, address in getaddresses(message.get_all(header, [])):
            recipient = verp_token(address)
            if recipient is not None:
                return recipient
    return None


def _status_fields(message: Message) -> list[Message]:
    """The per-recipient field groups of a message/delivery-status part."""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            groups = part.get_payload()
            if isinstance(groups, list):
                # The first group is about the reporting server; the rest, one a recipient.
                return [g for g in groups[1:] if isinstance(g, Message)] or groups
    return []


def bounce_parse(data: bytes) -> BounceReport | None:
    """The bounce in a raw message, or None when it is not one (an auto-reply, spam)."""
    message = BytesParser(policy=policy.compat32).parsebytes(data)
    reference = (message.get("Message-ID") or "").strip() or (
        "sha256:" + hashlib.sha256(data).hexdigest()
    )
    whole = data.decode("utf-8", "replace")
    ref_match = MEIBO_ID.search(whole)
    message_ref = (int(ref_match.group(1)), int(ref_match.group(2))) if ref_match else None
    recipient_id = _verp_recipient(message)
    if recipient_id is None and message_ref is None:
        return None
    email, status, diagnostic, action = "", "", "", ""
    for group in _status_fields(message):
        action = (group.get("Action") or "").strip().lower()
        status = (group.get("Status") or "").strip()
        diagnostic = " ".join((group.get("Diagnostic-Code") or "").split())
        final = group.get("Final-Recipient") or group.get("Original-Recipient") or ""
        email = final.partition(";")[2].strip() or final.strip()
        if action in ("failed", "delayed"):
            break
    if not status:
        found = STATUS.search(whole)
        if found and found.group(1) != "2":
            status = found.group(0)
    code_match = SMTP_CODE.search(diagnostic or whole)
    code = int(code_match.group(1)) if code_match else 0
    if not status and not code:
        return None
    return BounceReport(
        recipient_id=recipient_id,
        message_ref=message_ref,
        email=email,
        status=status,
        code=code,
        diagnostic=diagnostic[:2000],
        delayed=action == "delayed" or status.startswith("4"),
        reference=reference[:250],
    )


def mailbox_messages(path: str) -> Iterator[tuple[bytes, Callable[[], None]]]:
    """(raw message, mark_done) for each unprocessed message of a Maildir (new/, or cur/
    without the Seen flag) or each message of an mbox file. ``mark_done`` files a Maildir
    message as seen; an mbox is left as it is (reports are recorded once anyway)."""
    location = Path(path)
    if location.is_dir():
        box = mailbox.Maildir(location, factory=None, create=False)
        for key in list(box.keys()):
            message = box.get_message(key)
            if "S" in message.get_flags():
                continue

            def done(key: str = key, message: mailbox.MaildirMessage = message) -> None:
                message.set_subdir("cur")
                message.add_flag("S")
                box[key] = message

            yield box.get_bytes(key), done
    elif location.is_file():
        box = mailbox.mbox(location, create=False)
        for key in box.iterkeys():
            yield box.get_bytes(key), lambda: None
    else:
        raise FileNotFoundError(path)


def mailbox_waiting(path: str, *, since: datetime | None) -> bool:
    """Whether the mailbox may hold messages not yet read: an unseen Maildir message, or an
    mbox changed since ``since`` (an mbox is read whole each time, so only a change counts).
    """
    location = Path(path)
    if location.is_dir():
        return next(mailbox_messages(path), None) is not None
    if location.is_file():
        changed = datetime.fromtimestamp(location.stat().st_mtime, tz=UTC)
        return since is None or changed > since
    raise FileNotFoundError(path)
