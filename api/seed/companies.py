"""Customer companies (企業) and their departments (部署), as frames.

References are row positions: ``owner`` is a row of masters.staff(), a department's
``company`` a row of companies(), its ``parent`` a row of the same frame (-1: none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from api.seed import catalogue, places
from api.seed.columns import cat, digits, sometimes, take, where
from api.seed.masters import branch_staff
from api.seed.names import family_index, given_index, given_names, romaji, surnames
from api.seed.plan import Plan

STAGES = (
    ("active", 0.35),
    ("prospect", 0.20),
    ("proposing", 0.10),
    ("negotiating", 0.08),
    ("dormant", 0.20),
    ("lost", 0.07),
)
RANKS = ("S", "A", "B", "C", None)
RANKS_ACTIVE = (0.08, 0.22, 0.40, 0.25, 0.05)
RANKS_OTHER = (0.02, 0.10, 0.30, 0.40, 0.18)
CAPITALS = np.array([3, 5, 10, 20, 30, 50, 100, 300, 1000, 5000]) * 1_000_000
CAPITAL_WEIGHTS = np.array([10, 20, 25, 12, 10, 10, 7, 3, 2, 1], dtype=float)


@dataclass(frozen=True)
class Companies:
    frame: pd.DataFrame
    # (company row, 顧客分類 code) pairs
    classifications: pd.DataFrame
    # Not stored: what people of each company inherit (address, phone, e-mail domain).
    prefecture: np.ndarray
    domain: pd.Series


def companies(plan: Plan) -> Companies:
    rng = plan.stream("companies")
    n = plan.companies

    # Name: a surname or a word, a line of business, the legal form before (前株) or after
    # (後株). The reading leaves the legal form out, as the National Tax Agency's does.
    by_surname = rng.random(n) < 0.6
    family = surnames().iloc[family_index(rng, n)].reset_index(drop=True)
    word = rng.integers(0, len(catalogue.COMPANY_WORDS), n)
    prefix = where(by_surname, family["name"], take([w for w, _ in catalogue.COMPANY_WORDS], word))
    prefix_kana = where(
        by_surname, family["kana"], take([k for _, k in catalogue.COMPANY_WORDS], word)
    )
    business = rng.integers(0, len(catalogue.COMPANY_BUSINESSES), n)
    line = take([b[0] for b in catalogue.COMPANY_BUSINESSES], business)
    line_kana = take([b[1] for b in catalogue.COMPANY_BUSINESSES], business)
    form_weight = np.array([f[2] for f in catalogue.LEGAL_FORMS], dtype=float)
    form = rng.choice(len(catalogue.LEGAL_FORMS), size=n, p=form_weight / form_weight.sum())
    form_name = take([f[0] for f in catalogue.LEGAL_FORMS], form)
    in_front = np.array([f[1] for f in catalogue.LEGAL_FORMS])[form]
    name = where(in_front, cat(form_name, prefix, line), cat(prefix, line, form_name))
    domain = cat(romaji(prefix_kana), "-", romaji(line_kana), ".example.co.jp")

    # Representative: the founder's family often gave the company its name.
    rep_family = where(
        by_surname & (rng.random(n) < 0.5),
        family["name"],
        take(surnames()["name"], family_index(rng, n)),
    )
    rep_male = rng.random(n) < 0.85
    rep_era = rng.choice(2, size=n, p=[0.6, 0.4])
    rep_given = take(given_names()["name"], given_index(rng, rep_male, rep_era))

    pref = places.prefectures(rng, n, places.BUSINESS)
    address = places.addresses(rng, pref)
    phone = places.landlines(rng, pref)
    # The FAX is the next line of the same exchange, as offices are given them.
    fax = sometimes(rng, cat(phone.str[:-4], digits(rng, n, 4)), 0.8)

    stage = rng.choice(len(STAGES), size=n, p=[s[1] for s in STAGES])
    stage_name = take([s[0] for s in STAGES], stage)
    active = stage_name == "active"
    dealing = stage_name.isin(["proposing", "negotiating"]).to_numpy()
    rank = np.where(
        active,
        rng.choice(len(RANKS), size=n, p=RANKS_ACTIVE),
        rng.choice(len(RANKS), size=n, p=RANKS_OTHER),
    )
    probability = np.where(
        stage_name == "negotiating", rng.integers(50, 91, n), rng.integers(20, 51, n)
    )
    revenue = np.round(10 ** rng.uniform(5.5, 8.0, n), -4).astype(np.int64)

    now = pd.Timestamp(plan.now).floor("min")
    today = pd.Timestamp(plan.today)
    ago = {
        "active": (0, 60),
        "proposing": (0, 30),
        "negotiating": (0, 21),
        "dormant": (365, 1100),
        "lost": (90, 700),
        "prospect": (0, 180),
    }
    lo = stage_name.map({k: v[0] for k, v in ago.items()}).to_numpy(dtype=np.int64)
    hi = stage_name.map({k: v[1] for k, v in ago.items()}).to_numpy(dtype=np.int64)
    # Contacts and follow-ups happen in office hours.
    office_hours = pd.to_timedelta(rng.integers(9 * 60, 18 * 60, n), unit="min")
    last_contact = today - pd.to_timedelta(rng.integers(lo, hi + 1), unit="D") + office_hours
    last_contact = last_contact.tz_localize(plan.now.tzinfo)
    last_contact = last_contact.where((stage_name != "prospect") | (rng.random(n) < 0.5))
    follow_up = today + pd.to_timedelta(rng.integers(1, 61, n), unit="D") + office_hours.floor("h")
    follow_up = follow_up.tz_localize(plan.now.tzinfo)
    follow_up = follow_up.where(
        ~stage_name.isin(["dormant", "lost"]) & (~active | (rng.random(n) < 0.4))
    )

    owner = branch_staff(rng, pref)
    capital = CAPITALS[rng.choice(len(CAPITALS), size=n, p=CAPITAL_WEIGHTS / CAPITAL_WEIGHTS.sum())]
    # 有限会社 have not been founded since 2006; their capital stayed at the old minimum.
    capital = np.where(form_name == "有限会社", 3_000_000, capital)

    frame = pd.DataFrame(
        {
            "name": name,
            "name_kana": cat(prefix_kana, line_kana),
            "corporate_number": sometimes(rng, corporate_numbers(rng, n), 0.95),
            "representative": cat(rep_family, " ", rep_given),
            "industry": take([b[2] for b in catalogue.COMPANY_BUSINESSES], business),
            "capital": capital,
            "employee_count": np.minimum(
                np.exp(rng.normal(3.3, 1.3, n)).astype(np.int64) + 1, 30000
            ),
            "business_summary": take([b[3] for b in catalogue.COMPANY_BUSINESSES], business),
            "postal_code": address["postal_code"],
            "prefecture": address["prefecture"],
            "address1": address["address1"],
            "address2": places.buildings(
                rng, n, names=catalogue.BUILDING_NAMES, words=catalogue.BUILDINGS, share=0.7
            ),
            "phone": phone,
            "fax": fax,
            "url": sometimes(rng, cat("https://www.", domain, "/"), 0.6),
            "stage": stage_name,
            "rank": take(RANKS, rank),
            "expected_revenue": pd.array(revenue, dtype="Int64"),
            "probability": pd.array(probability, dtype="Int64"),
            "expected_close_date": today + pd.to_timedelta(rng.integers(14, 181, n), unit="D"),
            "last_contact_at": last_contact,
            "next_follow_up_at": follow_up,
            "owner": owner,
            "custom": "{}",
            "created_at": now,
            "updated_at": now,
        }
    )
    for column in ("expected_revenue", "probability", "expected_close_date"):
        frame[column] = frame[column].where(dealing)
    return Companies(
        frame=frame,
        classifications=_classifications(rng, stage_name),
        prefecture=pref,
        domain=domain,
    )


def corporate_numbers(rng: np.random.Generator, n: int) -> pd.Series:
    """Unique 13-digit 法人番号: a check digit, then 12 base digits made of a registry office,
    a register type and a serial, as 会社法人等番号 are."""
    office = rng.integers(100, 10_000, n)
    serial = rng.permutation(1_000_000)[:n]
    base = office * 100_000_000 + 1_000_000 + serial
    return pd.Series(check_digits(base) * 10**12 + base).astype("str").str.zfill(13)


def check_digits(base: np.ndarray) -> np.ndarray:
    """The 法人番号 check digit of 12-digit bases: 9 - (Σ Pn×Qn mod 9), Pn the n-th digit
    from the right, Qn 1 for odd n and 2 for even n (National Tax Agency)."""
    digits = (base[:, None] // 10 ** np.arange(11, -1, -1)) % 10  # left to right
    weight = np.where(np.arange(12) % 2 == 0, 2, 1)  # the leftmost digit is the 12th: even
    return 9 - (digits * weight).sum(axis=1) % 9


def _classifications(rng: np.random.Generator, stage: pd.Series) -> pd.DataFrame:
    """顧客分類 by stage: customers we trade with are 取引先 (most also 販売先), some supply us
    (仕入先), and companies we are still courting are 見込み."""
    n = len(stage)
    traded = stage.isin(["active", "dormant", "lost"]).to_numpy()
    courted = stage.isin(["prospect", "proposing", "negotiating"]).to_numpy()
    active = (stage == "active").to_numpy()
    pairs = [
        (np.flatnonzero(traded), "取引先"),
        (np.flatnonzero(active & (rng.random(n) < 0.8)), "販売先"),
        (np.flatnonzero(rng.random(n) < 0.1), "仕入先"),
        (np.flatnonzero(courted), "見込み"),
    ]
    return pd.DataFrame(
        {
            "company": np.concatenate([rows for rows, _ in pairs]),
            "code": np.concatenate(
                [np.full(len(rows), code, dtype=object) for rows, code in pairs]
            ),
        }
    ).sort_values(["company", "code"], kind="stable", ignore_index=True)


def departments(plan: Plan, companies: Companies) -> pd.DataFrame:
    """1–6 departments per company (more in bigger ones), some with 1–3 sections (課) below.

    Top-level departments come first, so every parent precedes its children.
    """
    rng = plan.stream("departments")
    frame = companies.frame
    n = len(frame)
    size = np.log10(frame["employee_count"].to_numpy())
    count = 1 + np.minimum(rng.poisson(np.clip(size - 0.3, 0.2, 4.0)), 5)
    # Each company takes the first ``count`` of its own shuffle of the names; 営業部 (the
    # department customers deal with most) is pulled to the front of most shuffles.
    keys = rng.random((n, len(catalogue.DEPARTMENTS)))
    keys[:, 0] -= 0.6
    choice = np.argsort(keys, axis=1)
    taken = np.arange(len(catalogue.DEPARTMENTS))[None, :] < count[:, None]
    company = np.repeat(np.arange(n), count)
    top_name = choice[taken]

    top = len(company)
    with_sections = rng.random(top) < np.where(top_name == 0, 0.6, 0.15)
    sub_count = np.where(with_sections, rng.integers(1, 4, top), 0)
    sub_keys = rng.random((top, len(catalogue.SUB_DEPARTMENTS)))
    sub_choice = np.argsort(sub_keys, axis=1)
    sub_taken = np.arange(len(catalogue.SUB_DEPARTMENTS))[None, :] < sub_count[:, None]
    parent = np.repeat(np.arange(top), sub_count)
    sub_name = sub_choice[sub_taken]

    names = [d for d, _ in catalogue.DEPARTMENTS]
    kana = [k for _, k in catalogue.DEPARTMENTS]
    sub_names = [d for d, _ in catalogue.SUB_DEPARTMENTS]
    sub_kana = [k for _, k in catalogue.SUB_DEPARTMENTS]
    all_company = np.concatenate([company, company[parent]])
    # A department's direct line is in its company's exchange.
    company_phone = frame["phone"].to_numpy()[all_company]
    phone = pd.Series(company_phone).astype("str").str[:-4] + digits(rng, len(all_company), 4)
    now = frame["created_at"].iloc[0] if n else pd.Timestamp(plan.now).floor("min")
    return pd.DataFrame(
        {
            "company": all_company,
            "parent": np.concatenate([np.full(top, -1), parent]),
            "name": pd.concat(
                [take(names, top_name), take(sub_names, sub_name)], ignore_index=True
            ),
            "name_kana": pd.concat(
                [take(kana, top_name), take(sub_kana, sub_name)], ignore_index=True
            ),
            "phone": sometimes(rng, phone, 0.3),
            "custom": "{}",
            "created_at": now,
            "updated_at": now,
        }
    )
