import datetime

import factory
from django.utils import timezone

from mailing.models import Mailing, MailingRecipient, MailingResponse, ResponseType
from tests.factories.people import PersonFactory


class MailingFactory(factory.django.DjangoModelFactory):
    """A mailing recorded earlier (no set), for history and query tests."""

    class Meta:
        model = Mailing

    name = factory.Sequence(lambda n: f"発送{n}")
    channel = Mailing.Channel.RECORD_ONLY
    medium = Mailing.Medium.POST
    state = Mailing.State.DONE
    dedupe_until = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=10))


class MailingRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailingRecipient

    mailing = factory.SubFactory(MailingFactory)
    person = factory.SubFactory(PersonFactory)
    state = MailingRecipient.State.SENT
    full_name = factory.LazyAttribute(lambda o: o.person.full_name)
    sent_at = factory.LazyFunction(timezone.now)


class MailingResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailingResponse

    recipient = factory.SubFactory(MailingRecipientFactory)
    mailing = factory.LazyAttribute(lambda o: o.recipient.mailing)
    person = factory.LazyAttribute(lambda o: o.recipient.person)
    response_type = factory.LazyFunction(lambda: ResponseType.objects.get(code="returned"))
