"""People (個人), a chunk at a time, with their 個人タイプ and 選択タイプ.

About 70% work for one of the companies (in one of its departments, usually with a title)
and are reached at its address; the others are private customers reached at home.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from api.seed import catalogue, places
from api.seed.columns import cat, digits, sometimes, take, where
from api.seed.companies import Companies
from api.seed.masters import branch_staff
from api.seed.names import era_of, family_index, given_index, given_names, surnames
from api.seed.plan import PEOPLE_CHUNK, Plan

AFFILIATED = 0.7
PERSONAL_DOMAINS = ("example.ne.jp", "example.jp", "example.com")
# Japanese carriers' mail domains. Their old rules allowed "taro..yamada" and "taro.";
# such addresses still exist and still receive mail, so a few are generated.
CARRIER_DOMAINS = ("docomo.ne.jp", "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp")
MEMOS = (
    "年賀状は自宅宛てに送付",
    "電話は午後希望",
    "展示会で名刺交換",
    "担当交代予定",
    "秘書経由で連絡のこと",
)


# The columns of a chunk's frame, in order: the person table's, except that company,
# department and owner are row positions (-1: none) for the loader to turn into ids.
COLUMNS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "company",
    "department",
    "title",
    "phone",
    "mobile_phone",
    "fax",
    "email",
    "mobile_email",
    "postal_code",
    "prefecture",
    "address1",
    "address2",
    "home_postal_code",
    "home_prefecture",
    "home_address1",
    "home_address2",
    "home_phone",
    "birthday",
    "owner",
    "user_code_1",
    "user_code_2",
    "user_code_3",
    "custom",
    "memo",
    "opt_out_mail",
    "opt_out_email",
    "opt_out_fax",
    "email_invalid",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class PeopleChunk:
    rows: range  # positions of these people among all people
    frame: pd.DataFrame  # company, department, owner: row positions (-1: none)
    person_types: pd.DataFrame  # (person position, code)
    selection_types: pd.DataFrame  # (person position, code)
    buy_weight: np.ndarray  # how often each person buys, relative to the others


def people_chunk(
    plan: Plan, companies: Companies, departments: pd.DataFrame, rows: range
) -> PeopleChunk:
    rng = plan.stream("people", rows.start // PEOPLE_CHUNK)
    n = len(rows)

    male = rng.random(n) < 0.52
    age = np.clip(rng.normal(47, 13, n), 22, 85)
    birthday = np.datetime64(plan.today, "D") - (age * 365.25).astype("timedelta64[D]")
    family = surnames().iloc[family_index(rng, n)].reset_index(drop=True)
    given = given_names().iloc[given_index(rng, male, era_of(age.astype(np.int64)))]
    given = given.reset_index(drop=True)

    # Affiliation: bigger companies have more contacts; any of the company's departments.
    # (There is a company for every ten people, and every company has a department.)
    affiliated = rng.random(n) < AFFILIATED
    size = companies.frame["employee_count"].to_numpy(dtype=float) ** 0.6
    company = np.where(affiliated, rng.choice(len(size), size=n, p=size / size.sum()), -1)
    at = np.maximum(company, 0)
    owning = departments["company"].to_numpy()
    by_company = np.argsort(owning, kind="stable")
    dept_count = np.bincount(owning, minlength=len(size))
    dept_first = np.cumsum(dept_count) - dept_count
    pick = dept_first[at] + (rng.random(n) * dept_count[at]).astype(np.int64)
    department = np.where(affiliated, by_company[pick], -1)
    title_weight = np.array([w for _, w in catalogue.TITLES], dtype=float)
    title = take(
        [t for t, _ in catalogue.TITLES],
        rng.choice(len(catalogue.TITLES), size=n, p=title_weight / title_weight.sum()),
    )

    # Home: anywhere, by population. Work: the company's address and exchange.
    home_pref = places.prefectures(rng, n, places.POPULATION)
    home = places.addresses(rng, home_pref)
    home_building = places.buildings(
        rng,
        n,
        names=[*surnames()["name"].iloc[:50], "サン", "グリーン", "ロイヤル"],
        words=catalogue.RESIDENCES,
        share=0.45,
    )
    home_phone = places.landlines(rng, home_pref)
    firm = companies.frame.take(at).reset_index(drop=True)
    direct_line = cat(firm["phone"].str[:-4], digits(rng, n, 4))
    keeps_home = affiliated & (rng.random(n) < 0.2)

    def work_or_home(work: pd.Series, private: pd.Series) -> pd.Series:
        return where(affiliated, work, private)

    phone = work_or_home(
        where(rng.random(n) < 0.5, firm["phone"], direct_line),
        sometimes(rng, home_phone, 0.55),
    )
    fax = where(affiliated & (rng.random(n) < 0.35), firm["fax"], None)

    given_rom = given["romaji"]
    family_rom = family["romaji"]
    work_mail = cat(
        where(rng.random(n) < 0.6, cat(given_rom, "."), cat(given_rom.str[:1], "-")),
        family_rom,
        "@",
        companies.domain.take(at).reset_index(drop=True),
    )
    own_mail = cat(
        given_rom,
        family_rom,
        digits(rng, n, 2),
        "@",
        take(PERSONAL_DOMAINS, rng.integers(0, len(PERSONAL_DOMAINS), n)),
    )
    email = work_or_home(sometimes(rng, work_mail, 0.85), sometimes(rng, own_mail, 0.45))
    carrier = rng.integers(0, len(CARRIER_DOMAINS), n)
    legacy = (carrier < 2) & (rng.random(n) < 0.08)
    mobile_local = where(
        legacy, cat(given_rom, "..", family_rom), cat(given_rom, ".", family_rom, digits(rng, n, 3))
    )
    mobile_email = sometimes(rng, cat(mobile_local, "@", take(CARRIER_DOMAINS, carrier)), 0.25)

    owner = np.where(
        affiliated & (rng.random(n) < 0.8),
        companies.frame["owner"].to_numpy()[at],
        branch_staff(rng, np.where(affiliated, companies.prefecture[at], home_pref)),
    )

    # Who they are to us, and what they receive.
    customer = rng.random(n) < 0.55
    prospect = ~customer & (rng.random(n) < 0.5)
    vip = customer & (rng.random(n) < 0.04)
    has_email = email.notna().to_numpy() | mobile_email.notna().to_numpy()
    opt_out_email = has_email & (rng.random(n) < 0.04)
    person_types = _pairs(
        rows,
        {
            "CUSTOMER": customer,
            "PROSPECT": prospect,
            "CONTACT": affiliated & (rng.random(n) < 0.6),
            "VIP": vip,
            "REFERRER": rng.random(n) < 0.02,
        },
    )
    selection_types = _pairs(
        rows,
        {
            "NENGA": rng.random(n) < np.where(customer, 0.6, 0.25),
            "CHUGEN": rng.random(n) < np.where(customer, 0.2, 0.03),
            "SEIBO": rng.random(n) < np.where(customer, 0.3, 0.05),
            "NEWSLETTER": has_email & ~opt_out_email & (rng.random(n) < 0.6),
            "SEMINAR": affiliated & (rng.random(n) < 0.25),
            "CATALOG": customer & (rng.random(n) < 0.3),
        },
    )
    vip_class = np.where(
        vip,
        "A",
        np.where(customer & (rng.random(n) < 0.6), np.where(rng.random(n) < 0.4, "B", "C"), None),
    )
    channels = [c for c, _ in catalogue.PERSON_USER_CODES[2][1]]
    ranks = [c for c, _ in catalogue.PERSON_USER_CODES[3][1]]

    now = pd.Timestamp(plan.now).floor("min")
    frame = pd.DataFrame(
        {
            "family_name": family["name"],
            "given_name": given["name"],
            "family_name_kana": family["kana"],
            "given_name_kana": given["kana"],
            "company": company,
            "department": department,
            "title": where(affiliated, title, None),
            "phone": phone,
            "mobile_phone": sometimes(rng, places.mobiles(rng, n), 0.55),
            "fax": fax,
            "email": email,
            "mobile_email": mobile_email,
            "postal_code": work_or_home(firm["postal_code"], home["postal_code"]),
            "prefecture": work_or_home(firm["prefecture"], home["prefecture"]),
            "address1": work_or_home(firm["address1"], home["address1"]),
            "address2": work_or_home(firm["address2"], home_building),
            "home_postal_code": where(keeps_home, home["postal_code"], None),
            "home_prefecture": where(keeps_home, home["prefecture"], None),
            "home_address1": where(keeps_home, home["address1"], None),
            "home_address2": where(keeps_home, home_building, None),
            "home_phone": where(keeps_home & (rng.random(n) < 0.4), home_phone, None),
            "birthday": pd.Series(birthday).where(rng.random(n) < 0.7),
            "owner": owner,
            "user_code_1": pd.Series(vip_class, dtype="str"),
            "user_code_2": sometimes(rng, take(channels, rng.integers(0, len(channels), n)), 0.6),
            "user_code_3": where(
                customer & (rng.random(n) < 0.4),
                take(ranks, rng.choice(len(ranks), size=n, p=[0.2, 0.3, 0.5])),
                None,
            ),
            "custom": "{}",
            "memo": sometimes(rng, take(MEMOS, rng.integers(0, len(MEMOS), n)), 0.03),
            "opt_out_mail": rng.random(n) < 0.02,
            "opt_out_email": opt_out_email,
            "opt_out_fax": rng.random(n) < 0.01,
            "email_invalid": email.notna().to_numpy() & (rng.random(n) < 0.01),
            "created_at": now,
            "updated_at": now,
        }
    )
    frame = frame[list(COLUMNS)]
    buy_weight = np.where(vip, 30.0, np.where(customer, 6.0, np.where(prospect, 0.3, 1.0)))
    return PeopleChunk(rows, frame, person_types, selection_types, buy_weight)


def _pairs(rows: range, members: dict[str, np.ndarray]) -> pd.DataFrame:
    """(person position, code) for every person in each code's mask, by person then code."""
    person = np.concatenate([np.flatnonzero(mask) + rows.start for mask in members.values()])
    code = np.concatenate(
        [np.full(int(mask.sum()), code, dtype=object) for code, mask in members.items()]
    )
    return pd.DataFrame({"person": person, "code": code}).sort_values(
        ["person", "code"], kind="stable", ignore_index=True
    )
