"""Benchmark: contact records (issue #7) at scale, through the API as a client calls it.

Measures, for an ordinary employee (visibility applied), the median and p95 of
  * a search by a Japanese content fragment   (target at 1,000,000 records: ≤ 100 ms)
  * a company's timeline page                 (contact-records/?company=<id>: ≤ 50 ms)
  * stats/                                    (≤ 500 ms)
and prints the EXPLAIN (ANALYZE) of the search and timeline queries.

Records are generated set-based (one INSERT … SELECT over generate_series) with Japanese
content that names the customer, the person and a topic, a skewed spread over companies
(a few customers have thousands of records), and a mix of 公開範囲 scopes and drafts.

    MEIBO_BENCH_CONTACTS=5000 uv run pytest tests/benchmarks/test_bench_contacts.py -s
    # 1,000,000 into the DATABASE_URL database itself (kept; re-runs only measure):
    MEIBO_BENCH_CONTACTS=1000000 uv run python -m tests.benchmarks.test_bench_contacts
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from typing import Any

import pytest

SIZE = int(os.environ.get("MEIBO_BENCH_CONTACTS", "5000"))
RUNS = int(os.environ.get("MEIBO_BENCH_RUNS", "20"))
EMPLOYEES, BRANCHES, SECTIONS, GROUPS = 200, 10, 20, 10

PREFIXES = [
    "北斗",
    "東洋",
    "大和",
    "日本",
    "富士",
    "三光",
    "中央",
    "共栄",
    "太平",
    "昭和",
    "丸善",
    "協和",
    "明治",
    "大成",
    "第一",
    "朝日",
    "旭",
    "光",
    "青葉",
    "若葉",
    "松風",
    "白鷺",
    "千代田",
    "新星",
    "菱和",
    "西日本",
    "東邦",
    "関東",
    "北陸",
    "九州",
    "瀬戸",
    "浪速",
    "大洋",
    "平和",
    "泉",
    "桜",
    "杉並",
    "江戸",
    "港",
    "山陽",
    "常磐",
    "信越",
    "駿河",
    "紀伊",
    "出雲",
    "伊勢",
    "美濃",
    "尾張",
    "甲斐",
    "相模",
]
SUFFIXES = [
    "精機",
    "商事",
    "工業",
    "物産",
    "電機",
    "建設",
    "化学",
    "製作所",
    "産業",
    "運輸",
    "食品",
    "印刷",
    "薬品",
    "技研",
    "興業",
    "通商",
    "電子",
    "製薬",
    "不動産",
    "設計",
    "鋼業",
    "繊維",
    "木材",
    "硝子",
    "塗料",
    "紙業",
    "農産",
    "水産",
    "観光",
    "開発",
    "倉庫",
    "機械",
    "計器",
    "光学",
    "工務店",
    "商会",
    "総業",
    "システム",
    "ソフト",
    "テック",
]
FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "清水",
    "山崎",
]
GIVEN = [
    "健一",
    "誠",
    "大輔",
    "直樹",
    "翔太",
    "美咲",
    "陽子",
    "恵子",
    "浩",
    "隆",
    "明美",
    "智子",
    "拓也",
    "修",
    "優子",
    "剛",
    "由美",
    "聡",
    "真由美",
    "学",
]
OBJECTS = [
    "新工場",
    "基幹システム",
    "保守契約",
    "新製品",
    "物流拠点",
    "営業車両",
    "空調設備",
    "生産ライン",
    "在庫管理",
    "受発注システム",
    "社内研修",
    "展示会",
    "防災設備",
    "事務所移転",
    "通信回線",
    "複合機",
    "照明設備",
    "倉庫",
    "品質管理",
    "販促物",
]
ACTIONS = ["の導入", "の更新", "の見直し", "の追加発注", "の価格改定"]
DETAILS = [
    "先方は来期予算での実施を検討中とのこと。",
    "競合他社の提案内容についても情報提供があった。",
    "概算見積を来週中に提出することで合意した。",
    "決裁者は部長で、稟議は月末に上がる見込み。",
    "現行品の不具合について改善要望を受けた。",
    "導入事例の資料を追加で送付することになった。",
    "納期は三か月後を希望、分納も可との回答。",
    "担当者が異動予定のため後任を紹介いただく。",
    "価格面では前回提示から五パーセントの値引き要望あり。",
    "技術担当者の同席を求められた。",
    "年度内の発注は難しいとの感触。",
    "サンプル品の評価結果は良好。",
]

# stats/ reads these per-month counts, which the triggers fill as the records are loaded.
MONTH_COUNTS = ("contacts_contactmonthmethod", "contacts_contactmonthresult")

# The queries: a rare fragment (of 共栄商事, one name in 2,000: ~0.1 % of records), a common
# one (a topic: ~5 %), and a 2-character one (no trigram: answered by reading rows; reported,
# not targeted).
RARE, COMMON, SHORT = "栄商事", "空調設", "佐藤"


@dataclass
class BenchWorld:
    viewer: Any  # an ordinary employee: one branch, one section, one group
    busiest_company: int
    records: int


def build(*, n: int) -> BenchWorld:
    """Masters, staff, companies and people (bulk), then ``n`` records set-based; returns the
    viewer and the busiest company. Skips generation when ``n`` bench records exist."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from api.contacts.models import ContactRecord
    from api.masters.models import Employee

    existing = ContactRecord.objects.filter(author__code__startswith="BENCH").count()
    if existing < n:
        _staff()
        # At least one of each of the 2,000 names, so the rare fragment exists at every size.
        _customers(companies=max(n // 50, 2000))
        _records(n=n)
    viewer = Employee.objects.select_related("user").get(code="BENCH0007")
    if not viewer.user.groups.exists():
        viewer.user.groups.add(Group.objects.get(name="BENCH-G1"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT company_id FROM contacts_contactrecord WHERE company_id IS NOT NULL "
            "GROUP BY company_id ORDER BY count(*) DESC LIMIT 1"
        )
        busiest = cursor.fetchone()[0]
    return BenchWorld(viewer=viewer, busiest_company=busiest, records=max(existing, n))


def _staff() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from api.masters.models import Branch, Employee, Section

    if Employee.objects.filter(code__startswith="BENCH").exists():
        return
    branches = Branch.objects.bulk_create(
        Branch(code=f"BENCH-B{i}", name=f"第{i}支店") for i in range(BRANCHES)
    )
    sections = Section.objects.bulk_create(
        Section(code=f"BENCH-S{i}", name=f"営業{i}課") for i in range(SECTIONS)
    )
    groups = Group.objects.bulk_create(Group(name=f"BENCH-G{i}") for i in range(GROUPS))
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{i:04d}", password="!") for i in range(EMPLOYEES)
    )
    Employee.objects.bulk_create(
        Employee(
            user=user,
            code=f"BENCH{i:04d}",
            name=f"{FAMILY[i % 20]} {GIVEN[i * 7 % 20]}",
            branch=branches[i % BRANCHES],
            department=sections[i % SECTIONS],
        )
        for i, user in enumerate(users)
    )
    memberships = get_user_model().groups.through
    memberships.objects.bulk_create(
        memberships(user_id=user.pk, group_id=groups[i % GROUPS].pk)
        for i, user in enumerate(users)
        if i % 3
    )


def _customers(*, companies: int) -> None:
    from api.people.models import Company, Person

    have = Company.objects.filter(external_code__startswith="bench-").count()
    if have >= companies:
        return
    stages = [stage.value for stage in Company.Stage]
    Company.objects.bulk_create(
        (
            Company(
                name=f"株式会社{PREFIXES[i % 50]}{SUFFIXES[i // 50 % 40]}",
                external_code=f"bench-{i}",
                stage=stages[i % len(stages)],
                rank="SABC"[i % 4] if i % 5 else None,
            )
            for i in range(have, companies)
        ),
        batch_size=5000,
    )
    new = Company.objects.filter(external_code__startswith="bench-").exclude(people__isnull=False)
    Person.objects.bulk_create(
        (
            Person(
                family_name=FAMILY[(company_id + k) % 20],
                given_name=GIVEN[(company_id * 3 + k) % 20],
                company_id=company_id,
                external_code=f"bench-{company_id}-{k}",
            )
            for company_id in new.values_list("pk", flat=True).iterator()
            for k in range(2)
        ),
        batch_size=5000,
    )


def _pick(name: str, kind: str = "bigint") -> str:
    """SQL for one random element of the array parameter ``name``."""
    array = f"%({name})s::{kind}[]"
    return f"({array})[1 + floor(random() * cardinality({array}))::int]"


# Customers and authors are picked by position in id arrays passed as parameters: no join, so
# the plan stays one pass over generate_series whatever the planner guesses about its size.
RECORDS_SQL = f"""
INSERT INTO contacts_contactrecord (
    author_id, state, started_at, ended_at, company_id, method_id, result_id, summary_id,
    content, visibility, scope_ids, next_appointment_at, next_appointment_note,
    created_at, updated_at
)
SELECT {_pick("employees")},
       CASE WHEN x.draft < 0.02 THEN 'draft' ELSE 'final' END,
       x.started, x.started + interval '1 hour',
       (%(companies)s::bigint[])[x.ci],
       {_pick("methods")}, {_pick("results")}, {_pick("summaries")},
       (%(names)s::text[])[x.ci] || ' ' || {_pick("family", "text")} || '様と'
           || {_pick("objects", "text")} || {_pick("actions", "text")} || 'について打合せ。'
           || {_pick("details", "text")} || {_pick("details", "text")}
           || '次回は' || (1 + floor(random() * 12)::int) || '月に訪問予定。',
       CASE WHEN x.scope < 0.70 THEN 'everyone' WHEN x.scope < 0.80 THEN 'branch'
            WHEN x.scope < 0.88 THEN 'department' WHEN x.scope < 0.94 THEN 'employees'
            ELSE 'groups' END,
       CASE WHEN x.scope < 0.70 THEN '{{}}'::bigint[]
            WHEN x.scope < 0.80 THEN ARRAY[{_pick("branches")}]
            WHEN x.scope < 0.88 THEN ARRAY[{_pick("sections")}]
            WHEN x.scope < 0.94 THEN ARRAY[{_pick("employees")}, {_pick("employees")}]
            ELSE ARRAY[{_pick("groups")}] END,
       CASE WHEN x.appointment < 0.1
            THEN x.started + (7 + floor(random() * 30)::int) * interval '1 day' END,
       CASE WHEN x.appointment < 0.1 THEN '見積提出' END,
       x.started, x.started
FROM (
    SELECT -- random()² spreads records unevenly: a few customers have thousands of records.
           1 + floor(power(random(), 2) * cardinality(%(companies)s::bigint[]))::int AS ci,
           now() - random() * interval '3 years' AS started,
           random() AS scope, random() AS draft, random() AS appointment
    FROM generate_series(1, %(n)s) AS g
) AS x
-- Records are written about when they happen, so the table is in time order, as in use.
ORDER BY x.started
"""


def _records(*, n: int) -> None:
    """Insert ``n`` records with the table's indexes dropped and then rebuilt from their own
    definitions (what a bulk load does), link people, open follow-ups, set company dates."""
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from api.contacts.models import ContactMethod, ContactRecord, ContactResult, ContactSummary
    from api.masters.models import Branch, Employee, Section
    from api.people.models import Company

    def ids(queryset: Any) -> list[int]:
        return list(queryset.values_list("pk", flat=True))

    arrays = {
        "methods": ids(ContactMethod.objects.all()),
        "results": ids(ContactResult.objects.all()),
        "summaries": ids(ContactSummary.objects.all()),
        "branches": ids(Branch.objects.filter(code__startswith="BENCH")),
        "sections": ids(Section.objects.filter(code__startswith="BENCH")),
        "employees": ids(Employee.objects.filter(code__startswith="BENCH")),
        "groups": ids(Group.objects.filter(name__startswith="BENCH")),
    }
    customers = list(
        Company.objects.filter(external_code__startswith="bench-")
        .order_by("pk")
        .values_list("pk", "name")
    )
    params: dict[str, Any] = {
        "n": n - ContactRecord.objects.count(),
        "companies": [pk for pk, _ in customers],
        "names": [name for _, name in customers],
        **arrays,
    }
    params.update(family=FAMILY, objects=OBJECTS, actions=ACTIONS, details=DETAILS)
    table = ContactRecord._meta.db_table
    # One transaction: an interrupted load leaves the table and its indexes as they were.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # Inside a test's transaction the deferred FK checks would otherwise still be pending
        # when the indexes are rebuilt, which PostgreSQL refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(RECORDS_SQL, params)
        print(f"\ninserted {cursor.rowcount:,} records in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        print(f"rebuilt {len(indexes)} indexes in {time.perf_counter() - started:.1f} s")
        cursor.execute(
            """
            INSERT INTO contacts_contactrecord_people (contactrecord_id, person_id)
            SELECT r.id, p.ids[1 + r.id % array_length(p.ids, 1)]
            FROM contacts_contactrecord r
            JOIN (SELECT company_id, array_agg(id ORDER BY id) AS ids FROM people_person
                  WHERE company_id IS NOT NULL GROUP BY company_id) p USING (company_id)
            ON CONFLICT DO NOTHING
            """
        )
        cursor.execute(
            """
            INSERT INTO contacts_followup (record_id, company_id, assignee_id, due_at, note,
                                           done_at, created_at)
            SELECT id, company_id, author_id, next_appointment_at, next_appointment_note,
                   CASE WHEN next_appointment_at < now() - interval '14 days'
                        THEN next_appointment_at END,
                   started_at
            FROM contacts_contactrecord
            WHERE next_appointment_at IS NOT NULL AND state = 'final'
            ON CONFLICT DO NOTHING
            """
        )
        cursor.execute(
            """
            UPDATE people_company c SET last_contact_at = r.latest, next_follow_up_at = f.due
            FROM (SELECT company_id, max(started_at) AS latest FROM contacts_contactrecord
                  WHERE state = 'final' GROUP BY company_id) r
            LEFT JOIN (SELECT company_id, min(due_at) AS due FROM contacts_followup
                       WHERE done_at IS NULL GROUP BY company_id) f USING (company_id)
            WHERE c.id = r.company_id
            """
        )
        for name in (table, "contacts_contactrecord_people", "contacts_followup", *MONTH_COUNTS):
            cursor.execute(f"ANALYZE {name}")


def timed(client: Any, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Median and p95 (ms) of ``RUNS`` GETs after two warm-ups, the median CPU time this
    process spent on one (the Python side; the rest is PostgreSQL and, on a shared machine,
    waiting for a core), and the last response's body."""
    for _ in range(2):
        response = client.get(url, params or {})
        assert response.status_code == 200, response.content[:500]
    samples, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params or {})
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "python_cpu_ms": round(statistics.median(cpu), 1),
        "body": response.json(),
    }


def explain(*, user: Any, params: dict[str, str]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the page query the API runs for ``params`` (without the
    joins that only fetch names for the 50 rows, which would bury the plan)."""
    from django.http import QueryDict

    from api.contacts.filters import ContactRecordFilter
    from api.contacts.visibility import contact_records_visible_to

    data = QueryDict(mutable=True)
    data.update(params)
    visible = contact_records_visible_to(user).order_by("-started_at", "-id")
    queryset = ContactRecordFilter(data=data, queryset=visible).qs
    return queryset[:51].explain(analyze=True, buffers=True)


def measure(world: BenchWorld) -> dict[str, Any]:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.viewer.user)
    url = "/api/v1/contact-records/"
    figures = {
        "search_rare": timed(client, url, {"q": RARE}),
        "search_common": timed(client, url, {"q": COMMON}),
        "search_2_chars": timed(client, url, {"q": SHORT}),
        "company_timeline": timed(client, url, {"company": world.busiest_company}),
        "stats": timed(client, "/api/v1/stats/"),
    }
    figures["explain_search"] = explain(user=world.viewer.user, params={"q": RARE})
    figures["explain_search_common"] = explain(user=world.viewer.user, params={"q": COMMON})
    figures["explain_timeline"] = explain(
        user=world.viewer.user, params={"company": str(world.busiest_company)}
    )
    return figures


def report(world: BenchWorld, figures: dict[str, Any]) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\n== contact records: {world.records:,}; viewer {world.viewer.code}; runs {RUNS}; "
        f"load average {load} on {os.cpu_count()} cores"
    )
    targets = {"search_rare": 100, "search_common": 100, "company_timeline": 50, "stats": 500}
    for name in ("search_rare", "search_common", "search_2_chars", "company_timeline", "stats"):
        figure = figures[name]
        body = figure["body"]
        rows = body.get("count", body.get("contact_records", {}).get("total"))
        rows = f"{rows}+" if body.get("count_capped") else rows
        target = f" (target ≤ {targets[name]} ms)" if name in targets else ""
        print(
            f"{name:17} median {figure['median_ms']:7.1f} ms   p95 {figure['p95_ms']:7.1f} ms"
            f"   python cpu {figure['python_cpu_ms']:5.1f} ms   rows {rows}{target}"
        )
    for name in ("explain_search", "explain_search_common", "explain_timeline"):
        print(f"\n-- {name}\n{figures[name]}")


@pytest.mark.benchmark
@pytest.mark.django_db
def test_bench_contacts(settings):
    settings.DEBUG = False
    world = build(n=SIZE)

    figures = measure(world)
    report(world, figures)

    # What every size must get right: results exist, and only visible ones are counted.
    assert figures["search_rare"]["body"]["count"] > 0
    assert figures["company_timeline"]["body"]["results"]
    assert figures["stats"]["body"]["contact_records"]["total"] > 0
    from api.contacts.models import ContactRecord

    assert figures["stats"]["body"]["contact_records"]["total"] < ContactRecord.objects.count()


def main() -> None:
    """Build into (and keep in) the DATABASE_URL database, then measure."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    world = build(n=SIZE)
    with connection.cursor() as cursor:
        # What autovacuum would have done by now (it is off on the shared benchmark machine):
        # without a visibility map no index-only scan is possible.
        for name in ("contacts_contactrecord", *MONTH_COUNTS):
            cursor.execute(f"VACUUM ANALYZE {name}")
    report(world, measure(world))


if __name__ == "__main__":
    main()
