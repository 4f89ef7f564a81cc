import pytest

from mailing.email.services import relay
from tests.factories.email import SinkHandler, SmtpSink


@pytest.fixture(autouse=True)
def email_settings(settings):
    settings.MEIBO_PUBLIC_URL = "https://meibo.example.jp"
    settings.MEIBO_EMAIL_BOUNCE_DOMAIN = "bounce.meibo.example.jp"
    settings.MEIBO_EMAIL_RETRY_SECONDS = 1
    # In-process tests run in one transaction: lanes in other threads would not see it.
    settings.MEIBO_EMAIL_THREADS = 1
    settings.EMAIL_HOST = ""
    return settings


@pytest.fixture
def smtp_server(settings):
    """Start a real aiosmtpd server (``smtp_server(temporary={addr: n}, permanent={addr})``)
    and point the SMTP settings at it."""
    started: list[SmtpSink] = []

    def start(**behaviour) -> SmtpSink:
        sink = SmtpSink(SinkHandler(**behaviour)).__enter__()
        started.append(sink)
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        return sink

    yield start
    for client in relay._local.__dict__.pop("clients", {}).values():
        client.close()
    for sink in started:
        sink.__exit__()


@pytest.fixture
def sink(smtp_server) -> SmtpSink:
    return smtp_server()
