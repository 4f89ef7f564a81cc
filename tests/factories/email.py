"""E-mail mailings for tests, built set-based (10,000 recipients in well under a second), and
the SMTP server the tests send to: a real aiosmtpd on a free local port."""

from __future__ import annotations

import asyncio
import datetime
import logging
import socket
import threading
from collections import Counter
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from api.people.models import Person
from mailing.email.models import EmailMailing, EmailTemplate
from mailing.email.services.templates import email_template_create
from mailing.models import Mailing, MailingRecipient

# aiosmtpd logs every command at INFO: thousands of lines a second under load.
logging.getLogger("mail.log").setLevel(logging.WARNING)

SUBJECT = "{{recipient_name}}様 2026年 新年のご挨拶【株式会社メイボ】"
BODY = (
    "{{company|個人のお客様}}\n{{recipient_name}} {{honorific}}\n\n"
    "旧年中は格別のご高配を賜り、厚く御礼申し上げます。\n"
    "本年も変わらぬご愛顧のほど、よろしくお願い申し上げます。\n\n{{owner_signature}}\n"
)
HTML = "<html><body><p>{{recipient_name}} 様</p><p>謹賀新年</p></body></html>"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: str  # the client's address and port: one per SMTP connection


class SinkHandler:
    """Stores every message. ``temporary``: address → how many first attempts are answered
    451 (greylisting); ``permanent``: addresses answered 550 5.1.1 (no such user); ``hold``:
    addresses whose message is stored and then not answered until ``release()`` (a sender
    can be caught between its final dot and the reply: ``held`` is set then)."""

    def __init__(self, *, temporary: dict[str, int] | None = None, permanent=(), hold=()):
        self.messages: list[Received] = []
        self.temporary = dict(temporary or {})
        self.permanent = set(permanent)
        self.hold = set(hold)
        self.held = threading.Event()
        self._released = threading.Event()
        self.rcpt_attempts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def release(self) -> None:
        self._released.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_attempts[address] += 1
        if address in self.permanent:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if self.temporary.get(address, 0) > 0:
            self.temporary[address] -= 1
            return f"451 4.7.1 <{address}>: Please try again later (greylisted)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                Received(
                    envelope.mail_from, list(envelope.rcpt_tos), envelope.content, str(session.peer)
                )
            )
        if self.hold.intersection(envelope.rcpt_tos):
            self.held.set()
            await asyncio.to_thread(self._released.wait, 120)
        return "250 2.0.0 Ok: queued"

    def received_by(self) -> Counter[str]:
        with self.lock:
            return Counter(r for m in self.messages for r in m.rcpt_tos)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self, handler: SinkHandler):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        self.running = True
        return self

    def __exit__(self, *exc) -> None:
        if self.running:
            self.controller.stop()
            self.running = False

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


def template_make(*, name: str = "新年のご挨拶", **content) -> EmailTemplate:
    return email_template_create(
        name=name,
        subject=content.get("subject", SUBJECT),
        body_text=content.get("body_text", BODY),
        body_html=content.get("body_html", HTML),
    )


def people_make(count: int, *, domain: str = "example.com", prefix: str = "u") -> list[int]:
    """``count`` people 山田 太郎<n> <prefix><n>@<domain>, inserted in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Person._meta.db_table} (family_name, given_name, family_name_kana,
                given_name_kana, email, custom, opt_out_mail, opt_out_email, opt_out_fax,
                email_invalid, created_at, updated_at)
            SELECT '山田', '太郎' || g, 'ヤマダ', 'タロウ', %s || g || '@' || %s, '{{}}',
                   false, false, false, false, now(), now()
            FROM generate_series(1, %s) g
            RETURNING id
            """,
            [prefix, domain, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def email_mailing_make(
    *,
    people: list[int],
    template: EmailTemplate | None = None,
    name: str = "2026年 年賀メール",
    state: str = Mailing.State.READY,
    **settings,
) -> EmailMailing:
    """A prepared e-mail mailing of ``people`` (recipients queued, as execution leaves
    them) with its e-mail settings."""
    mailing = Mailing.objects.create(
        name=name,
        channel=Mailing.Channel.EMAIL,
        medium=Mailing.Medium.EMAIL,
        state=state,
        dedupe_until=timezone.now() + datetime.timedelta(minutes=10),
        recipient_count=len(people),
        prepared_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {MailingRecipient._meta.db_table} (mailing_id, person_id, state,
                full_name, full_name_kana, company_name, department_name, title,
                address_source, postal_code, prefecture, address1, address2, email, fax,
                attempts, error, message_id, created_at, updated_at)
            SELECT %s, p.id, 'queued', concat_ws(' ', p.family_name, p.given_name),
                   concat_ws(' ', p.family_name_kana, p.given_name_kana), '', '',
                   coalesce(p.title, ''), '', '', '', '', '',
                   coalesce(nullif(p.email, ''), p.mobile_email, ''), '', 0, '', '', now(), now()
            FROM {Person._meta.db_table} p WHERE p.id = ANY(%s) ORDER BY p.id
            """,
            [mailing.pk, people],
        )
    template = template or EmailTemplate.objects.first() or template_make()
    return EmailMailing.objects.create(
        mailing=mailing,
        template_version=template.versions.order_by("-number").first(),
        from_address=settings.pop("from_address", "info@meibo.example.jp"),
        from_name=settings.pop("from_name", "株式会社メイボ 営業部"),
        **settings,
    )
