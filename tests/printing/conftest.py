import pytest

from mailing.models import Mailing
from tests.factories.printing import PrintMailingFactory, recipient_rows, recipients_add


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Artifacts and templates go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def postcard_mailing(db):
    mailing = PrintMailingFactory(name="2026年 年賀状", channel=Mailing.Channel.POSTCARD)
    recipients_add(mailing, recipient_rows(12, long_every=5))
    return mailing


@pytest.fixture
def label_mailing(db):
    mailing = PrintMailingFactory(name="2026年 お歳暮", channel=Mailing.Channel.LABEL)
    recipients_add(mailing, recipient_rows(30))
    return mailing


@pytest.fixture
def letter_mailing(db):
    mailing = PrintMailingFactory(
        name="新商品のご案内", channel=Mailing.Channel.LETTER, medium=Mailing.Medium.POST
    )
    recipients_add(mailing, recipient_rows(30))
    return mailing
