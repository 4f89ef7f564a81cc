"""Previews and test sends: the exact bytes a recipient would get, composed by the same code
that sends, then decoded for people to read."""

from __future__ import annotations

import email
import secrets
from dataclasses import dataclass, replace
from email import policy
from typing import Any

from django.conf import settings

from api.core.errors import FieldErrors, ServiceError
from api.people.models import Person
from mailing.email.compose import (
    Composer,
    Content,
    Envelope,
    Message,
    RecipientData,
    Slot,
    template_parse,
)
from mailing.email.mime import jis_substitutions
from mailing.email.models import EmailMailing, EmailTemplateVersion
from mailing.email.services.relay import composer_for, server_config
from mailing.email.smtp import Outcome, SmtpClient
from mailing.models import MailingRecipient

TEST_PREFIX = "[テスト] "


@dataclass(frozen=True)
class Preview:
    mail_from: str
    to: str
    subject: str
    headers: dict[str, str]
    text: str
    html: str
    empty_fields: list[str]  # merge fields with neither a value nor a fallback
    substituted: list[str]  # characters ISO-2022-JP cannot carry (sent as 〓 or a look-alike)
    size: int


def _person_data(
    person: Person, *, recipient_id: int = 0, email_address: str = ""
) -> RecipientData:
    owner = person.owner
    company = person.company
    department = person.department
    return RecipientData(
        id=recipient_id,
        email=email_address or person.email or person.mobile_email or "",
        full_name=person.full_name,
        full_name_kana=person.full_name_kana,
        family_name=person.family_name or "",
        given_name=person.given_name or "",
        company=company.name if company else "",
        department=department.name if department else "",
        title=person.title or "",
        owner_name=owner.name if owner else "",
        owner_signature=owner.signature if owner else "",
        custom=person.custom or {},
    )


def recipient_data(*, recipient: MailingRecipient) -> RecipientData:
    """What the dispatcher fills a recipient's message with: the snapshot taken at
    execution, and the person's own names, owner and custom fields."""
    person = Person.objects.select_related("owner", "company", "department").get(
        pk=recipient.person_id
    )
    return replace(
        _person_data(person, recipient_id=recipient.pk, email_address=recipient.email),
        full_name=recipient.full_name,
        full_name_kana=recipient.full_name_kana,
        company=recipient.company_name,
        department=recipient.department_name,
        title=recipient.title,
    )


def _decoded(
    message: Message, composer: Composer, data: RecipientData, content: Content
) -> Preview:
    parsed = email.message_from_bytes(message.data, policy=policy.default)
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    values = composer.values(data)
    empty = []
    for part in (
        template_parse(content.subject)[0]
        + template_parse(content.body_text)[0]
        + template_parse(content.body_html)[0]
    ):
        missing = isinstance(part, Slot) and not values.get(part.key) and not part.fallback
        if missing and part.key not in empty:
            empty.append(part.key)
    substituted = []
    if composer.envelope.charset != "utf-8":
        substituted = jis_substitutions(
            "".join(v for k, v in values.items() if not k.startswith("__"))
            + content.subject
            + content.body_text
            + content.body_html
        )
    return Preview(
        mail_from=message.mail_from,
        to=str(parsed["to"]),
        subject=str(parsed["subject"]),
        headers={k: str(v) for k, v in parsed.items()},
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
        empty_fields=empty,
        substituted=substituted,
        size=len(message.data),
    )


def _content(version: EmailTemplateVersion) -> Content:
    return Content(
        subject=version.subject,
        body_text=version.body_text,
        body_html=version.body_html,
        links=tuple(version.links),
    )


def email_preview(*, email_mailing: EmailMailing, recipient: MailingRecipient) -> Preview:
    """The message ``recipient`` gets from this mailing, exactly as it would be sent."""
    composer = composer_for(email=email_mailing)
    data = recipient_data(recipient=recipient)
    return _decoded(
        composer.message(data), composer, data, _content(email_mailing.template_version)
    )


def template_preview(*, version: EmailTemplateVersion, person: Person, user: Any) -> Preview:
    """A template version filled for ``person``, before any mailing exists."""
    composer = _template_composer(version)
    data = _person_data(person)
    return _decoded(composer.message(data), composer, data, _content(version))


def _template_composer(version: EmailTemplateVersion) -> Composer:
    return Composer(
        content=_content(version),
        envelope=Envelope(
            mailing_id=0,
            mailing_name=version.template.name,
            from_address=settings.DEFAULT_FROM_EMAIL,
            public_url=settings.MEIBO_PUBLIC_URL,
            bounce_domain=settings.MEIBO_EMAIL_BOUNCE_DOMAIN,
        ),
    )


def email_test_send(
    *,
    to: str,
    email_mailing: EmailMailing | None = None,
    version: EmailTemplateVersion | None = None,
    recipient: MailingRecipient | None = None,
    person: Person | None = None,
) -> dict[str, str]:
    """Send one message to ``to`` (the caller's own address), filled for a recipient of the
    mailing or a person, subject marked [テスト]. It names no recipient: its unsubscribe
    link does nothing, its bounce comes back to the sender, nobody's history changes."""
    if not to:
        raise FieldErrors({"to": ["give the address to send the test to (your account has none)"]})
    if email_mailing is not None:
        composer = composer_for(email=email_mailing)
        if recipient is None:
            recipient = MailingRecipient.objects.filter(mailing_id=email_mailing.pk).first()
        data = recipient_data(recipient=recipient) if recipient else None
    else:
        composer = _template_composer(version)
        data = _person_data(person) if person else None
    if data is None:
        data = RecipientData(
            id=0, email=to, full_name="名簿 太郎", family_name="名簿", given_name="太郎"
        )
    message = composer.message(replace(data, id=0, email=to), subject_prefix=TEST_PREFIX)
    message_id = f"<meibo.test.{secrets.token_hex(8)}@{composer.id_domain}>"
    message = Message(
        mail_from=composer.envelope.from_address,
        rcpt=to,
        message_id=message_id,
        data=message.data.replace(message.message_id.encode(), message_id.encode(), 1),
    )
    client = SmtpClient(server_config())
    try:
        outcome = client.send(message, before_dot=lambda: True)
    finally:
        client.quit()
    if outcome.kind != Outcome.SENT:
        raise ServiceError(f"the SMTP server refused the test message: {outcome.reply}", field="to")
    return {"to": to, "message_id": message_id, "reply": outcome.reply}
