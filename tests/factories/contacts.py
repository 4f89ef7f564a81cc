import datetime

import factory
from django.utils import timezone

from api.contacts.models import ContactMethod, ContactRecord, ContactResult, ContactSummary
from tests.factories.masters import EmployeeFactory
from tests.factories.people import CompanyFactory


def seeded(model: type, code: str):
    """A master row seeded by contacts migration 0002."""
    return factory.LazyFunction(lambda: model.objects.get(code=code))


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
