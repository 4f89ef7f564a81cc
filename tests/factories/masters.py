import factory
from django.contrib.auth import get_user_model

from api.masters.models import (
    Branch,
    CompanyClassification,
    CustomField,
    Employee,
    PersonType,
    Section,
    SelectionType,
    UserCodeValue,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.jp")
    password = factory.django.Password("pass-word-123")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"支店{n}")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"営業{n}課")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    code = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"社員{n}")
    name_kana = "シャイン"
    email = factory.LazyAttribute(lambda o: f"{o.code.lower()}@meibo.example.jp")


class PersonTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PT{n}")
    name = factory.Sequence(lambda n: f"個人タイプ{n}")


class SelectionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelectionType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ST{n}")
    name = factory.Sequence(lambda n: f"選択タイプ{n}")


class CompanyClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyClassification
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CC{n}")
    name = factory.Sequence(lambda n: f"顧客分類{n}")


class UserCodeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserCodeValue
        django_get_or_create = ("entity", "slot", "code")

    entity = UserCodeValue.Entity.PERSON
    slot = 1
    code = "A"
    name = "VIP"


class CustomFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomField
        django_get_or_create = ("entity", "key")

    entity = CustomField.Entity.PERSON
    key = factory.Sequence(lambda n: f"field{n}")
    label = factory.Sequence(lambda n: f"項目{n}")
    kind = CustomField.Kind.TEXT
