"""Benchmark: importing a 20-column Shift_JIS person file (issue #3).

Measures, on a register that already holds people:
  * preview of an insert import   (target at 1,000,000 rows on 1,000,000 people: ≤ 15 s)
  * insert commit                 (≤ 20 s)
  * preview + commit of an upsert of the same rows, every row changed (≤ 30 s for the commit)
  * peak RSS of the process        (≤ 1 GiB)

The file is what back offices send: Shift_JIS (CP932) with ①, ㈱, 髙 and 﨑, half-width kana,
full-width digits, (株)/㈱/（株） variants, three phone formats, 和暦 birthdays, real postal
codes and some multi-line memo cells. The upsert file changes every row's phone and memo,
and the title of one row in ten (a career entry each).

    MEIBO_BENCH_IMPORT_ROWS=5000 uv run pytest tests/benchmarks/test_bench_import.py -s
    # against an existing database (e.g. a copy of meibo_bench with 1,000,000 people),
    # which is left as it was (the benchmark runs in one transaction, rolled back):
    MEIBO_BENCH_EXISTING_DB=1 MEIBO_BENCH_IMPORT_ROWS=1000000 \\
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/meibo_h8_big \\
        uv run pytest tests/benchmarks/test_bench_import.py -s -p no:cacheprovider
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import numpy as np
import pytest
from django.core.files import File
from django.db import connection

ROWS = int(os.environ.get("MEIBO_BENCH_IMPORT_ROWS", "5000"))
EXISTING_DB = os.environ.get("MEIBO_BENCH_EXISTING_DB") == "1"
PREFIX = "BENCH-"

HEADER = [
    "外部コード",
    "氏名",
    "フリガナ",
    "会社名",
    "部署",
    "役職",
    "電話",
    "携帯電話",
    "FAX",
    "メール",
    "携帯メール",
    "〒",
    "都道府県",
    "住所1",
    "住所2",
    "生年月日",
    "個人タイプ",
    "メモ",
    "ユーザ定義名称1",
    "郵送不可",
]
SURNAMES = [
    "山田",
    "佐藤",
    "髙橋",
    "鈴木",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "清水",
    "山﨑",
    "森",
]
SURNAME_KANA = [
    "ヤマダ",
    "サトウ",
    "タカハシ",
    "スズキ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
    "ヨシダ",
    "ヤマグチ",
    "マツモト",
    "イノウエ",
    "キムラ",
    "ハヤシ",
    "シミズ",
    "ヤマザキ",
    "モリ",
]
GIVEN = ["太郎", "花子", "一郎", "①子", "健", "美咲", "翔太", "陽菜", "大輔", "由美"]
GIVEN_KANA = [
    "タロウ",
    "ハナコ",
    "イチロウ",
    "イチコ",
    "ケン",
    "ミサキ",
    "ショウタ",
    "ヒナ",
    "ダイスケ",
    "ユミ",
]
TITLES = ["部長", "課長", "係長", "主任", "担当", "取締役", "代表取締役", "マネージャー"]
DEPARTMENTS = ["営業部", "総務部", "経理部", "開発部", "人事部"]
HALF = str.maketrans(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン",
    "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ",
)
WIDE = str.maketrans("0123456789-", "０１２３４５６７８９－")


if EXISTING_DB:

    @pytest.fixture(scope="session")
    def django_db_setup():
        """Use DATABASE_URL's database as it is (a copy of meibo_bench), not a test one."""


def _company_names(count: int) -> list[str]:
    """Registered company names where there are some (seeded register; names that more
    than one company has are left out, they would need a code), else new ones (created on
    commit); written with (株), ㈱ or （株） as often as with 株式会社."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM people_company WHERE name LIKE '株式会社%%' GROUP BY name "
            "HAVING count(*) = 1 ORDER BY min(id) LIMIT %s",
            [count],
        )
        names = [row[0] for row in cursor.fetchall()]
    names += [f"株式会社ベンチ商事{n}" for n in range(count - len(names))]
    return names


def _variant(name: str, n: int) -> str:
    return name.replace("株式会社", ("株式会社", "(株)", "㈱", "（株）")[n % 4], 1)


def _phone(n: int) -> str:
    digits = f"03{30_000_000 + n % 70_000_000}"
    formats = (
        f"{digits[:2]}-{digits[2:6]}-{digits[6:]}",
        f"{digits[:2]}（{digits[2:6]}）{digits[6:]}".translate(WIDE),
        digits,
    )
    return formats[n % 3]


def _names() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(kanji, reading) of surnames and given names: the seed's lists, with 髙橋, 山﨑, ①子."""
    import csv

    from api.seed import names

    data = Path(names.__file__).parent / "data"
    lists = []
    for name, extra in (
        ("surnames.csv", list(zip(SURNAMES, SURNAME_KANA, strict=True))),
        ("given_names.csv", list(zip(GIVEN, GIVEN_KANA, strict=True))),
    ):
        with open(data / name, encoding="utf-8") as handle:
            rows = [r for r in csv.reader(handle) if len(r) >= 2 and r[1] and r[0] != "name"]
        lists.append(extra + [(r[0], r[1]) for r in rows if all(_cp932(x) for x in r[:2])])
    return lists[0], lists[1]


def _cp932(text: str) -> bool:
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def write_file(path: Path, *, rows: int, companies: list[str], changed: bool) -> None:
    """The benchmark file in CP932, written in blocks of 50,000 rows."""
    from api.seed.places import PREFECTURES, addresses

    surnames, given_names = _names()
    rng = np.random.default_rng(3)
    weights = np.ones(len(PREFECTURES))
    era = ("昭和{y}年{m}月{d}日", "{Y}/{m}/{d}", "{Y}-{m:02d}-{d:02d}")
    with open(path, "wb") as out:
        out.write((",".join(HEADER) + "\r\n").encode("cp932"))
        for start in range(0, rows, 50_000):
            count = min(50_000, rows - start)
            places = addresses(
                rng, rng.choice(len(PREFECTURES), size=count, p=weights / weights.sum())
            )
            lines = []
            for i in range(count):
                n = start + i
                family = surnames[(n * 7919) % len(surnames)]
                given = given_names[(n * 104729) % len(given_names)]
                kana = f"{family[1]} {given[1]}"
                kana = kana.translate(HALF) if n % 3 == 0 else kana
                year = 1950 + n % 38  # 昭和 ends in 1989
                born = era[n % 3].format(y=year - 1925, Y=year, m=1 + n % 12, d=1 + n % 28)
                title = TITLES[(n + (n % 10 == 0 and changed)) % len(TITLES)]
                memo = f"メモ{n}" + ("\n2行目" if n % 100 == 0 else "")
                if changed:
                    memo += " 更新"
                postal = places["postal_code"].iat[i]
                cells = [
                    f"{PREFIX}{n}",
                    f"{family[0]}\u3000{given[0]}",
                    kana,
                    _variant(companies[n % len(companies)], n),
                    DEPARTMENTS[n % 5],
                    title,
                    _phone(n + (7 if changed else 0)),
                    f"090{10_000_000 + n % 90_000_000}",
                    _phone(n + 1),
                    f"bench{n}@Example.CO.JP" if n % 5 == 0 else f"bench{n}@example.co.jp",
                    "",
                    postal.translate(WIDE) if n % 4 == 0 else postal,
                    places["prefecture"].iat[i] if n % 2 else "",
                    places["address1"].iat[i],
                    f"ビル{n % 30}階",
                    born,
                    "",
                    memo,
                    f"名称{n % 50}",
                    str(n % 2),
                ]
                lines.append(",".join(f'"{c}"' if "\n" in c else c for c in cells))
            out.write(("\r\n".join(lines) + "\r\n").encode("cp932"))


class Progress:
    done = 0
    total = None

    def set_total(self, total: int) -> None:
        self.total = total

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done

    def advance(self, count: int = 1) -> None:
        self.done += count


def _run(path: Path, *, mode: str, user) -> tuple[float, float, dict]:
    from importers.models import ImportJob
    from importers.services.commit import import_commit, import_commit_start
    from importers.services.imports import import_create
    from importers.services.preview import import_preview

    with open(path, "rb") as handle:
        record = import_create(
            user=user,
            upload=File(handle, name=path.name),
            target="people",
            mode=mode,
            match_key="external_code",
            create_missing=True,
        )
    started = time.perf_counter()
    preview = import_preview(import_id=record.pk, progress=Progress())
    preview_seconds = time.perf_counter() - started
    record = ImportJob.objects.get(pk=record.pk)
    assert record.state == "previewed", record.error
    import_commit_start(record=record, user=user)
    record.refresh_from_db()
    started = time.perf_counter()
    result = import_commit(import_id=record.pk, job_id=record.commit_job_id, progress=Progress())
    commit_seconds = time.perf_counter() - started
    return preview_seconds, commit_seconds, {"preview": preview, "commit": result}


def _seed_people(count: int) -> None:
    """Existing people, set-based, when the register has fewer than ``count``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_person")
        have = cursor.fetchone()[0]
        if have >= count:
            return
        cursor.execute(
            "INSERT INTO people_person (created_at, updated_at, family_name, given_name, "
            "family_name_kana, given_name_kana, email, phone, custom, opt_out_mail, "
            "opt_out_email, opt_out_fax, email_invalid) SELECT now(), now(), '既存', "
            "'太郎' || i, 'キソン', 'タロウ', 'existing' || i || '@example.jp', "
            "'03-9999-' || lpad((i %% 10000)::text, 4, '0'), '{}', false, false, false, false "
            "FROM generate_series(1, %s) AS i",
            [count - have],
        )


@pytest.mark.benchmark
@pytest.mark.django_db
def test_bench_import(tmp_path, settings):
    """Everything runs in the test's transaction, rolled back at the end: an existing
    database (MEIBO_BENCH_EXISTING_DB) is left as it was."""
    from django.contrib.auth import get_user_model

    settings.MEDIA_ROOT = tmp_path / "media"
    _seed_people(ROWS)
    user, _ = get_user_model().objects.get_or_create(username="bench-import")
    companies = _company_names(max(10, ROWS // 50))
    insert_file, upsert_file = tmp_path / "people.csv", tmp_path / "people-changed.csv"
    write_file(insert_file, rows=ROWS, companies=companies, changed=False)
    write_file(upsert_file, rows=ROWS, companies=companies, changed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_person")
        existing = cursor.fetchone()[0]
    insert_preview, insert_commit, insert_counts = _run(insert_file, mode="insert", user=user)
    upsert_preview, upsert_commit, upsert_counts = _run(upsert_file, mode="upsert", user=user)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = insert_file.stat().st_size / (1 << 20)
    print(
        f"\nimport benchmark: {ROWS:,} rows ({size:.0f} MiB Shift_JIS, 20 columns) into "
        f"{existing:,} people\n"
        f"  insert: preview {insert_preview:.1f} s, commit {insert_commit:.1f} s "
        f"({ROWS / insert_commit:,.0f} rows/s)\n"
        f"  upsert: preview {upsert_preview:.1f} s, commit {upsert_commit:.1f} s "
        f"({ROWS / upsert_commit:,.0f} rows/s)\n"
        f"  peak RSS {peak:,.0f} MiB\n"
        f"  insert preview stages {insert_counts['preview']['seconds']}\n"
        f"  upsert preview stages {upsert_counts['preview']['seconds']}\n"
        f"  insert counts {insert_counts['commit']}\n  upsert counts {upsert_counts['commit']}"
    )
    # Rows that look like someone already registered (same name and postal code …) are
    # skipped on insert, and added by the upsert, which matches by external code only.
    inserted = insert_counts["commit"]
    assert inserted["inserted"] + inserted["skipped"] == ROWS
    upserted = upsert_counts["commit"]
    assert (upserted["updated"], upserted["inserted"]) == (
        inserted["inserted"],
        inserted["skipped"],
    )
