import datetime

import factory

from api.people.models import (
    CardExchange,
    CareerEntry,
    Company,
    Department,
    FamilyMember,
    Person,
    SecretNote,
)
from tests.factories.masters import EmployeeFactory, UserFactory


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"株式会社テスト商事{n}")
    name_kana = "テストショウジ"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"営業{n}部")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    family_name_kana = "ヤマダ"
    given_name_kana = "タロウ"
    postal_code = "100-0001"
    prefecture = "東京都"
    address1 = "千代田区千代田1-1"


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    person = factory.SubFactory(PersonFactory)
    name = "山田花子"
    name_kana = "ヤマダハナコ"
    relation = "配偶者"


class CardExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CardExchange

    person = factory.SubFactory(PersonFactory)
    employee = factory.SubFactory(EmployeeFactory)
    exchanged_on = datetime.date(2025, 4, 1)
    place = "展示会"


class SecretNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecretNote

    person = factory.SubFactory(PersonFactory)
    author = factory.SubFactory(UserFactory)
    text = "ゴルフが趣味"


class CareerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerEntry

    person = factory.SubFactory(PersonFactory)
    company_name = "株式会社旧商事"
    title = "課長"
    started_on = datetime.date(2020, 4, 1)
    ended_on = datetime.date(2024, 3, 31)
