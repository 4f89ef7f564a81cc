"""The whole flow: a selection set executed on a printed channel becomes a mailing ready to
print; printing it sends every recipient and records the print in each one's history."""

import pytest

from mailing.models import Mailing, MailingRecipient
from mailing.services.execute import mailing_execute
from tests.factories.people import CompanyFactory, PersonFactory
from tests.factories.selections import SelectionSetFactory
from workers.tasks.mailing import execute
from workers.tasks.printing import render

pytestmark = pytest.mark.django_db


def test_a_set_executed_on_the_label_channel_is_printed_and_recorded(api, user):
    company = CompanyFactory(name="株式会社テスト商事")
    people = [PersonFactory(company=company, title="部長") for _ in range(5)]
    selection = SelectionSetFactory(people=people, name="2026年 お歳暮送付先")

    mailing, _ = mailing_execute(
        selection_set=selection, name="2026年 お歳暮", channel=Mailing.Channel.LABEL, user=user
    )
    execute(mailing.job_id)
    mailing.refresh_from_db()

    assert mailing.state == Mailing.State.READY
    assert set(mailing.recipients.values_list("state", flat=True)) == {"queued"}

    response = api.post(
        f"/api/v1/mailings/{mailing.pk}/print/", {"label_format": "a4-12"}, format="json"
    )
    render(response.json()["job"]["id"])

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.DONE and mailing.artifact
    assert set(
        MailingRecipient.objects.filter(mailing=mailing).values_list("state", flat=True)
    ) == {"sent"}
    entries = api.get(f"/api/v1/people/{people[0].pk}/history/").json()["results"]
    assert "2026年 お歳暮 宛名ラベル印刷" in [e["title"] for e in entries]


@pytest.mark.parametrize(
    ("channel", "medium"),
    [
        (Mailing.Channel.POSTCARD, "post"),
        (Mailing.Channel.LETTER, "post"),
        (Mailing.Channel.FAX, "fax"),
    ],
)
def test_every_printed_channel_can_be_executed(user, channel, medium):
    selection = SelectionSetFactory(people=[PersonFactory(fax="03-1234-5678")])

    mailing, created = mailing_execute(
        selection_set=selection, name="発送", channel=channel, user=user
    )

    assert created and mailing.medium == medium
