"""The configured SMTP relay, one persistent connection per sending thread, and a mailing's
composer."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.conf import settings

from api.core.errors import ServiceError
from mailing.email.compose import Composer, Content, Envelope
from mailing.email.models import EmailMailing
from mailing.email.smtp import ServerConfig, SmtpClient


def server_config() -> ServerConfig:
    if not settings.EMAIL_HOST:
        raise ServiceError(
            "no SMTP server is configured: set MEIBO_EMAIL_HOST (and MEIBO_EMAIL_PORT)",
            field="email",
        )
    return ServerConfig(
        host=settings.EMAIL_HOST,
        port=settings.EMAIL_PORT,
        username=settings.EMAIL_HOST_USER,
        password=settings.EMAIL_HOST_PASSWORD,
        use_tls=settings.EMAIL_USE_TLS,
        timeout=settings.MEIBO_EMAIL_SMTP_TIMEOUT,
    )


_local = threading.local()


def smtp_client() -> SmtpClient:
    """This thread's connection to the relay, kept open across batches and tasks."""
    config = server_config()
    clients = _local.__dict__.setdefault("clients", {})
    if config not in clients:
        clients[config] = SmtpClient(config)
    return clients[config]


def composer_for(*, email: EmailMailing) -> Composer:
    version = email.template_version
    return Composer(
        content=Content(
            subject=version.subject,
            body_text=version.body_text,
            body_html=version.body_html,
            links=tuple(version.links),
        ),
        envelope=Envelope(
            mailing_id=email.mailing_id,
            mailing_name=email.mailing.name,
            from_address=email.from_address,
            from_name=email.from_name,
            reply_to=email.reply_to,
            charset=email.charset,
            track_opens=email.track_opens,
            track_clicks=email.track_clicks,
            public_url=settings.MEIBO_PUBLIC_URL,
            bounce_domain=settings.MEIBO_EMAIL_BOUNCE_DOMAIN,
        ),
    )


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: doubling from MEIBO_EMAIL_RETRY_SECONDS,
    at most four hours."""
    seconds = settings.MEIBO_EMAIL_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, 4 * 3600))
