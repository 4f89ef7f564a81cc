"""The demo data generator alone (no database): determinism, and values the input rules keep."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from api.core import normalise
from api.seed import catalogue, places
from api.seed.companies import check_digits, companies, corporate_numbers, departments
from api.seed.masters import products, staff
from api.seed.names import given_names, surnames
from api.seed.people import people_chunk
from api.seed.plan import Plan
from api.seed.sales import Buyers, calendar, sales_chunk

TODAY = datetime.date(2025, 11, 23)
NOW = datetime.datetime(2025, 11, 23, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


def make(seed: int = 1, people: int = 300, sales: int = 2000) -> dict[str, pd.DataFrame]:
    plan = Plan(people=people, sales=sales, seed=seed, today=TODAY, now=NOW)
    firms = companies(plan)
    depts = departments(plan, firms)
    chunks = [people_chunk(plan, firms, depts, rows) for rows in plan.people_chunks()]
    weight = np.concatenate([c.buy_weight for c in chunks])
    buyers = Buyers(
        company=np.concatenate([c.frame["company"].to_numpy() for c in chunks]),
        owner=np.concatenate([c.frame["owner"].to_numpy() for c in chunks]),
        weight=weight / weight.sum(),
    )
    days = calendar(plan)
    return {
        "staff": staff(plan),
        "companies": firms.frame,
        "classifications": firms.classifications,
        "departments": depts,
        "people": pd.concat([c.frame for c in chunks], ignore_index=True),
        "person_types": pd.concat([c.person_types for c in chunks], ignore_index=True),
        "selection_types": pd.concat([c.selection_types for c in chunks], ignore_index=True),
        "sales": pd.concat(
            [sales_chunk(plan, buyers, products(), days, rows) for rows in plan.sales_chunks()],
            ignore_index=True,
        ),
    }


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return make()


def test_the_same_seed_gives_the_same_data(data):
    again = make()
    for name, frame in data.items():
        pd.testing.assert_frame_equal(frame, again[name], obj=name)


def test_another_seed_gives_other_data(data):
    other = make(seed=2)
    assert not other["people"]["family_name"].equals(data["people"]["family_name"])
    assert not other["companies"]["name"].equals(data["companies"]["name"])


def test_it_makes_the_sizes_asked_for(data):
    assert len(data["people"]) == 300
    assert len(data["sales"]) == 2000
    assert len(data["companies"]) == 30
    assert len(data["staff"]) == len(catalogue.EMPLOYEES)
    # every company has a department, and people work for about 70% of them
    assert set(data["departments"]["company"]) == set(range(30))
    assert 0.6 < (data["people"]["company"] >= 0).mean() < 0.8


def test_corporate_numbers_carry_valid_check_digits(data):
    numbers = data["companies"]["corporate_number"].dropna()
    assert len(numbers) > 20
    assert all(normalise.corporate_number(n) == n for n in numbers)
    many = corporate_numbers(np.random.default_rng(5), 5000)
    assert many.is_unique
    assert all(normalise.corporate_number(n) == n for n in many)


def test_check_digits_of_known_corporate_numbers():
    # The National Tax Agency's own 法人番号 and Toyota's.
    assert check_digits(np.array([12050002, 180301018771])).tolist() == [7, 1]


def test_readings_are_full_width_katakana(data):
    readings = pd.concat(
        [
            data["people"]["family_name_kana"],
            data["people"]["given_name_kana"],
            data["companies"]["name_kana"],
            data["departments"]["name_kana"],
            data["staff"]["name_kana"],
            surnames()["kana"],
            given_names()["kana"],
        ]
    )
    assert all(normalise.kana(r) == r for r in readings)


def test_names_survive_the_input_rules(data):
    names = pd.concat(
        [
            surnames()["name"],
            given_names()["name"],
            data["staff"]["name"],
            data["departments"]["name"],
            data["people"]["title"].dropna(),
            data["people"]["address1"],
            data["people"]["address2"].dropna(),
        ]
    )
    assert all(normalise.text(n) == n for n in names)
    assert all(normalise.company_name(n) == n for n in data["companies"]["name"])
    # 株式会社 written out, before (前株) or after (後株) the name
    assert data["companies"]["name"].str.startswith("株式会社").any()
    assert data["companies"]["name"].str.endswith("株式会社").any()


def test_variant_kanji_in_surnames_are_kept():
    # 髙 and 﨑 (U+FA11) are what those families write; the input rules leave them alone.
    assert {"髙橋", "山﨑"} <= set(surnames()["name"])
    assert normalise.text("山﨑") == "山﨑"


def test_postal_codes_are_real_and_agree_with_the_prefecture(data):
    frames = [
        data["companies"][["postal_code", "prefecture", "address1"]],
        data["people"][["postal_code", "prefecture", "address1"]],
        data["people"][["home_postal_code", "home_prefecture", "home_address1"]]
        .dropna()
        .set_axis(["postal_code", "prefecture", "address1"], axis=1),
    ]
    for row in pd.concat(frames).itertuples():
        assert normalise.postal_code(row.postal_code) == row.postal_code
        prefecture, place = normalise.postal_lookup(row.postal_code)
        assert prefecture == row.prefecture
        assert row.address1.startswith(place)
        assert normalise.address_check(
            postal_code=row.postal_code, prefecture=row.prefecture, address1=row.address1
        ) == (row.prefecture, row.address1)


def test_phones_and_mails_are_already_canonical(data):
    people, firms = data["people"], data["companies"]
    phones = pd.concat(
        [
            people["phone"],
            people["mobile_phone"],
            people["fax"],
            people["home_phone"],
            firms["phone"],
            firms["fax"],
        ]
    ).dropna()
    assert all(normalise.phone(p) == p for p in phones)
    assert people["mobile_phone"].dropna().str.match(r"^0[789]0-\d{4}-\d{4}$").all()
    mails = pd.concat([people["email"], people["mobile_email"]]).dropna()
    assert all(normalise.email(m) == m for m in mails)
    carriers = people["mobile_email"].dropna().str.split("@").str[1]
    assert carriers.isin(
        ["docomo.ne.jp", "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp"]
    ).all()


def test_phones_use_the_area_code_of_the_prefecture(data):
    area = {p[0]: p[2] for p in places.PREFECTURES}
    firms = data["companies"]
    assert all(
        phone.startswith(area[pref] + "-")
        for phone, pref in zip(firms["phone"], firms["prefecture"], strict=True)
    )


def test_people_work_in_departments_of_their_own_company(data):
    people, depts = data["people"], data["departments"]
    affiliated = people[people["company"] >= 0]
    assert (
        depts["company"].to_numpy()[affiliated["department"]] == affiliated["company"].to_numpy()
    ).all()
    assert (people.loc[people["company"] < 0, "department"] == -1).all()
    # a sub-department's parent is a top-level department of the same company
    subs = depts[depts["parent"] >= 0]
    assert len(subs)
    assert (depts["company"].to_numpy()[subs["parent"]] == subs["company"].to_numpy()).all()
    assert (depts["parent"].to_numpy()[subs["parent"]] == -1).all()
    assert not depts.duplicated(["company", "parent", "name"]).any()


def test_sales_belong_to_the_buyers_company_and_price_the_quantity(data):
    sales, people = data["sales"], data["people"]
    price = products()["price"].to_numpy()
    assert (sales["amount"] == price[sales["product"]] * sales["quantity"]).all()
    assert (sales["company"].to_numpy() == people["company"].to_numpy()[sales["person"]]).all()
    sold_on = pd.to_datetime(sales["sold_on"]).dt.date
    assert sold_on.is_monotonic_increasing
    assert sold_on.min() >= TODAY - datetime.timedelta(days=5 * 365)
    assert sold_on.max() <= TODAY


def test_gift_ranges_sell_in_their_season(data):
    sales = data["sales"]
    season = products()["gift_season"].to_numpy()[sales["product"]]
    months = pd.to_datetime(sales["sold_on"]).dt.month.to_numpy()
    assert set(months[season == "CHUGEN"]) <= {6, 7, 8}
    assert set(months[season == "SEIBO"]) <= {11, 12}
