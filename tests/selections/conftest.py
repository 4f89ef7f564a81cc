"""A small register with sales history, built deterministically for the query tests."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from api.masters.models import Employee, UserCodeValue
from api.people.models import Person
from api.sales.models import ProductCategory
from tests.factories.masters import (
    EmployeeFactory,
    PersonTypeFactory,
    SelectionTypeFactory,
    UserCodeValueFactory,
)
from tests.factories.people import CompanyFactory, PersonFactory
from tests.factories.sales import ProductCategoryFactory, ProductFactory, SaleFactory

SURNAMES = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
]
GIVEN = [
    ("一郎", "イチロウ"),
    ("花子", "ハナコ"),
    ("健", "ケン"),
    ("美咲", "ミサキ"),
    ("翔太", "ショウタ"),
    ("陽子", "ヨウコ"),
]


@dataclass
class World:
    me: Employee
    other: Employee
    today: datetime.date
    people: list[Person] = field(default_factory=list)
    categories: dict[str, ProductCategory] = field(default_factory=dict)


def one_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@pytest.fixture
def world(employee) -> World:
    rng = random.Random(20261123)
    today = timezone.localdate()
    w = World(me=employee, other=EmployeeFactory(), today=today)
    nenga = SelectionTypeFactory(code="NENGA", name="年賀状送付先")
    seibo = SelectionTypeFactory(code="SEIBO", name="お歳暮送付先")
    customer = PersonTypeFactory(code="CUST", name="顧客")
    UserCodeValueFactory(entity=UserCodeValue.Entity.PERSON, slot=1, code="A", name="VIP")
    UserCodeValueFactory(entity=UserCodeValue.Entity.PERSON, slot=1, code="B", name="一般")
    for code, name in (("red", "赤"), ("blue", "青"), ("black", "黒")):
        UserCodeValueFactory(entity=UserCodeValue.Entity.PRODUCT, slot=3, code=code, name=name)

    cats = w.categories
    cats["衣料"] = ProductCategoryFactory(code="CLOTH", name="衣料")
    cats["毛皮"] = ProductCategoryFactory(code="FUR", name="毛皮", parent=cats["衣料"])
    cats["ミンク"] = ProductCategoryFactory(code="MINK", name="ミンク", parent=cats["毛皮"])
    cats["フォックス"] = ProductCategoryFactory(code="FOX", name="フォックス", parent=cats["毛皮"])
    cats["コート"] = ProductCategoryFactory(code="COAT", name="コート", parent=cats["衣料"])
    cats["靴"] = ProductCategoryFactory(code="SHOES", name="靴")
    cats["婦人靴"] = ProductCategoryFactory(code="LADIES", name="婦人靴", parent=cats["靴"])
    cats["食品"] = ProductCategoryFactory(code="FOOD", name="食品")
    products = [
        ProductFactory(
            category=category,
            user_code_3=rng.choice(["red", "blue", "black", None]),
            price=rng.choice([3000, 50000, 300000]),
        )
        for category in cats.values()
        for _ in range(3)
    ]

    companies = [
        CompanyFactory(stage=stage, rank=rank)
        for stage, rank in (("active", "A"), ("active", "S"), ("prospect", "C"), ("dormant", "B"))
    ]
    for index in range(80):
        family, family_kana = rng.choice(SURNAMES)
        given, given_kana = rng.choice(GIVEN)
        person = PersonFactory(
            family_name=family,
            family_name_kana=family_kana,
            given_name=f"{given}{index}",
            given_name_kana=given_kana,
            owner=rng.choice([w.me, w.me, w.other, None]),
            user_code_1=rng.choice(["A", "B", None]),
            prefecture=rng.choice(["東京都", "神奈川県", None]),
            postal_code=rng.choice(["100-0001", "220-0011", None]),
            birthday=rng.choice([None, datetime.date(1960 + index % 40, 1 + index % 12, 10)]),
            company=rng.choice([None, *companies]),
            email=rng.choice([None, f"p{index}@example.jp"]),
            opt_out_mail=rng.random() < 0.1,
            opt_out_email=rng.random() < 0.1,
        )
        if rng.random() < 0.4:
            person.selection_types.add(nenga)
        if rng.random() < 0.3:
            person.selection_types.add(seibo)
        if rng.random() < 0.5:
            person.person_types.add(customer)
        w.people.append(person)

    for _ in range(300):
        SaleFactory(
            person=rng.choice(w.people),
            product=rng.choice(products),
            sold_on=today - datetime.timedelta(days=rng.randint(0, 1100)),
            sold_by=rng.choice([w.me, w.other, None]),
            quantity=rng.randint(1, 3),
        )
    # The edges of "the last year": on its first day (in) and the day before (out).
    edge_in, edge_out = w.people[0], w.people[1]
    first_day = one_year_before(today)
    SaleFactory(person=edge_in, product=products[0], sold_on=first_day, sold_by=w.me)
    SaleFactory(
        person=edge_out,
        product=products[0],
        sold_on=first_day - datetime.timedelta(days=1),
        sold_by=w.me,
    )
    edge_out.sales.exclude(sold_on=first_day - datetime.timedelta(days=1)).update(sold_by=w.other)
    return w
