import datetime

import factory
from django.utils import timezone

from api.contacts.models import ContactMethod, ContactRecord, ContactResult, ContactSummary
from tests.factories.masters import EmployeeFactory
from tests.factories.people import CompanyFactory


def master(model: type, code: str):
    """A master row seeded by contacts migration 0002 — made again after a transactional
    test's flush has emptied the table."""
    return model.objects.get_or_create(code=code, defaults={"name": code})[0]


def seeded(model: type, code: str):
    return factory.LazyFunction(lambda: master(model, code))


class ContactRecordFactory(factory.django.DjangoModelFactory):
    """A final record written straight to the table (no notifications, follow-ups or company
    dates: tests of those go through the API)."""

    class Meta:
        model = ContactRecord

    author = factory.SubFactory(EmployeeFactory)
    started_at = factory.Sequence(lambda n: timezone.now() - datetime.timedelta(days=1, hours=n))
    company = factory.SubFactory(CompanyFactory)
    method = seeded(ContactMethod, "visit")
    result = seeded(ContactResult, "continue")
    summary = seeded(ContactSummary, "regular")
    content = factory.Sequence(lambda n: f"定例訪問。新製品の導入について打合せ({n})。")
