"""The steps of one seed, in order: masters, staff, catalogue, companies and departments,
people with their types, sales. services.seed_demo runs them in one transaction."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import psycopg
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models
from psycopg import sql
from psycopg.abc import Buffer

from api.masters.models import (
    Branch,
    CompanyClassification,
    Employee,
    PersonType,
    Section,
    SelectionType,
    UserCodeValue,
)
from api.people.models import Company, Department, Person
from api.sales.models import Product, ProductCategory, Sale
from api.seed import catalogue, load
from api.seed.companies import Companies
from api.seed.masters import products, staff
from api.seed.people import COLUMNS as PERSON_COLUMNS
from api.seed.people import PeopleChunk, people_chunk
from api.seed.plan import Plan
from api.seed.sales import Buyers, calendar, sales_chunk

if TYPE_CHECKING:
    from workers.progress import Progress


def table_of(model: type[models.Model]) -> str:
    return str(model._meta.db_table)


def _m2m(model: type[models.Model], name: str) -> tuple[str, str, str]:
    """(table, column of the model's id, column of the other side's id) of a ManyToMany."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.ManyToManyField)
    return field.m2m_db_table(), field.m2m_column_name(), field.m2m_reverse_name()


class Seeding:
    """The steps of one seed, sharing the cursor, the ids handed out, and the timings."""

    def __init__(
        self,
        *,
        cur: psycopg.Cursor,
        plan: Plan,
        progress: Progress | None,
        timings: dict[str, float],
    ):
        self.cur = cur
        self.plan = plan
        self.progress = progress
        self.timings = timings
        self.now = plan.now
        self.codes: dict[type[models.Model], dict[str, int]] = {}
        self.staff_ids = np.empty(0, dtype=np.int64)
        self.product_frame = products()
        self.product_ids = np.empty(0, dtype=np.int64)
        self.product_count = 0
        self.m2m_rows: dict[str, int] = {}
        self.indexes: dict[str, dict[str, float]] = {}
        # Tables loaded here, analysed at the end (autovacuum may be off, or minutes away).
        self.analyze: list[str] = []
        self.company_first = self.department_first = self.person_first = 0

    def index_seconds(self, table: str) -> dict[str, float]:
        """Where the rebuild of a table's indexes and constraints records their times."""
        return self.indexes.setdefault(table, {})

    @contextmanager
    def stage(self, label: str) -> Iterator[None]:
        """Time a stage into the summary's seconds."""
        started = time.monotonic()
        yield
        self.timings[label] = round(time.monotonic() - started, 2)

    def advance(self, count: int) -> None:
        if self.progress is not None:
            self.progress.advance(count)

    def fetch_ids(self, query: sql.Composable, params: list[Any]) -> dict[str, int]:
        self.cur.execute(query, params)
        return {key: int(pk) for key, pk in self.cur.fetchall()}

    # -- small tables ---------------------------------------------------------------------

    def masters(self) -> None:
        """Code lists and user-code values; codes that already exist are left as they are."""
        for model, rows in (
            (PersonType, catalogue.PERSON_TYPES),
            (SelectionType, catalogue.SELECTION_TYPES),
            (CompanyClassification, catalogue.COMPANY_CLASSIFICATIONS),
            (Branch, catalogue.BRANCHES),
            (Section, catalogue.SECTIONS),
        ):
            table = sql.Identifier(table_of(model))
            self.cur.executemany(
                sql.SQL(
                    "INSERT INTO {} (code, name, sort_order, is_active, created_at, "
                    "updated_at) VALUES (%s, %s, %s, true, %s, %s) "
                    "ON CONFLICT (code) DO NOTHING"
                ).format(table),
                [
                    (code, name, order * 10, self.now, self.now)
                    for order, (code, name) in enumerate(rows, start=1)
                ],
            )
            self.codes[model] = self.fetch_ids(
                sql.SQL("SELECT code, id FROM {} WHERE code = ANY(%s)").format(table),
                [[code for code, _ in rows]],
            )
        values = [
            (entity, slot, code, name, order * 10, self.now, self.now)
            for entity, slots in (
                ("person", catalogue.PERSON_USER_CODES),
                ("product", catalogue.PRODUCT_USER_CODES),
            )
            for slot, (_, codes) in slots.items()
            for order, (code, name) in enumerate(codes, start=1)
        ]
        self.cur.executemany(
            sql.SQL(
                "INSERT INTO {} (entity, slot, code, name, sort_order, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (entity, slot, code) DO NOTHING"
            ).format(sql.Identifier(table_of(UserCodeValue))),
            values,
        )

    def staff(self) -> None:
        """A user and an Employee for each member of staff; passwords are unusable."""
        frame = staff(self.plan)
        users = table_of(get_user_model())
        self.cur.executemany(
            sql.SQL(
                "INSERT INTO {} (password, is_superuser, username, first_name, last_name, "
                "email, is_staff, is_active, date_joined) "
                "VALUES (%s, false, %s, %s, %s, %s, false, true, %s)"
            ).format(sql.Identifier(users)),
            [
                (make_password(None), r.username, r.first_name, r.last_name, r.email, self.now)
                for r in frame.itertuples()
            ],
        )
        user_ids = self.fetch_ids(
            sql.SQL("SELECT username, id FROM {} WHERE username = ANY(%s)").format(
                sql.Identifier(users)
            ),
            [frame["username"].tolist()],
        )
        branches, sections = self.codes[Branch], self.codes[Section]
        table = sql.Identifier(table_of(Employee))
        self.cur.executemany(
            sql.SQL(
                "INSERT INTO {} (user_id, code, name, name_kana, email, branch_id, "
                "department_id, signature, is_active, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, '', true, %s, %s)"
            ).format(table),
            [
                (
                    user_ids[r.username],
                    r.code,
                    r.name,
                    r.name_kana,
                    r.email,
                    branches[r.branch],
                    sections[r.section],
                    self.now,
                    self.now,
                )
                for r in frame.itertuples()
            ],
        )
        employee_ids = self.fetch_ids(
            sql.SQL("SELECT code, id FROM {} WHERE code = ANY(%s)").format(table),
            [frame["code"].tolist()],
        )
        self.staff_ids = np.array([employee_ids[code] for code in frame["code"]])

    def catalogue(self) -> None:
        """The category tree, with materialised paths ("/1/4/9/"), and the products."""
        table = table_of(ProductCategory)
        first = load.reserve_ids(self.cur, table, len(catalogue.CATEGORIES))
        category_ids: dict[str, int] = {}
        paths: dict[str, str] = {}
        rows = []
        for offset, (code, name, parent) in enumerate(catalogue.CATEGORIES):
            pk = first + offset
            category_ids[code] = pk
            paths[code] = (paths[parent] if parent else "/") + f"{pk}/"
            rows.append(
                (
                    pk,
                    code,
                    name,
                    category_ids[parent] if parent else None,
                    paths[code],
                    self.now,
                    self.now,
                )
            )
        self.cur.executemany(
            sql.SQL(
                "INSERT INTO {} (id, code, name, parent_id, path, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)"
            ).format(sql.Identifier(table)),
            rows,
        )
        frame = self.product_frame
        frame = frame.astype(object).where(frame.notna(), None)
        table = table_of(Product)
        first = load.reserve_ids(self.cur, table, len(frame))
        self.product_ids = np.arange(first, first + len(frame))
        self.cur.executemany(
            sql.SQL(
                "INSERT INTO {} (id, code, name, category_id, price, user_code_1, "
                "user_code_2, user_code_3, custom, is_active, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{{}}', true, %s, %s)"
            ).format(sql.Identifier(table)),
            [
                (
                    pk,
                    r.code,
                    r.name,
                    category_ids[r.category],
                    r.price,
                    r.user_code_1,
                    r.user_code_2,
                    r.user_code_3,
                    self.now,
                    self.now,
                )
                for pk, r in zip(self.product_ids.tolist(), frame.itertuples(), strict=True)
            ],
        )
        self.product_count = len(frame)
        self.analyze += [table_of(ProductCategory), table_of(Product)]

    # -- the register ---------------------------------------------------------------------

    def companies(self, firms: Companies, depts: pd.DataFrame) -> None:
        frame = firms.frame
        table = table_of(Company)
        self.company_first = load.reserve_ids(self.cur, table, len(frame))
        with (
            load.indexes_rebuilt_after(
                self.cur, table, rows=len(frame), seconds=self.index_seconds(table)
            ),
            self.stage("companies"),
        ):
            load.copy_frame(
                self.cur,
                table,
                frame.drop(columns=["owner"]).assign(
                    id=np.arange(self.company_first, self.company_first + len(frame)),
                    owner_id=self.staff_ids[frame["owner"].to_numpy()],
                ),
            )
            pairs = firms.classifications
            self.copy_pairs(
                Company,
                "classifications",
                pairs["company"].to_numpy() + self.company_first,
                pairs["code"],
                CompanyClassification,
            )
        self.advance(len(frame))

        table = table_of(Department)
        self.department_first = load.reserve_ids(self.cur, table, len(depts))
        with (
            load.indexes_rebuilt_after(
                self.cur, table, rows=len(depts), seconds=self.index_seconds(table)
            ),
            self.stage("departments"),
        ):
            load.copy_frame(
                self.cur,
                table,
                depts.drop(columns=["company", "parent"]).assign(
                    id=np.arange(self.department_first, self.department_first + len(depts)),
                    company_id=depts["company"].to_numpy() + self.company_first,
                    parent_id=load.ids(depts["parent"].to_numpy(), self.department_first),
                ),
            )
        self.advance(len(depts))
        self.analyze += [table_of(Company), table_of(Department)]

    def people(self, firms: Companies, depts: pd.DataFrame) -> Buyers:
        """People in one COPY, a chunk at a time (the next drawn while the server takes in
        the last), then their types; returns what the sales need to know of them."""
        plan = self.plan
        table = table_of(Person)
        first = load.reserve_ids(self.cur, table, plan.people)
        types = load.column_types(self.cur, table)

        def draw(rows: range) -> tuple[PeopleChunk, Buffer]:
            chunk = people_chunk(plan, firms, depts, rows)
            frame = chunk.frame
            rows_out = frame.drop(columns=["company", "department", "owner"]).assign(
                id=np.arange(first + rows.start, first + rows.stop),
                company_id=load.ids(frame["company"].to_numpy(), self.company_first),
                department_id=load.ids(frame["department"].to_numpy(), self.department_first),
                owner_id=self.staff_ids[frame["owner"].to_numpy()],
            )
            return chunk, load.csv_block(rows_out, types)

        company = np.empty(plan.people, dtype=np.int64)
        owner = np.empty(plan.people, dtype=np.int64)
        weight = np.empty(plan.people)
        person_types, selection_types = [], []
        kept = [c for c in PERSON_COLUMNS if c not in ("company", "department", "owner")]
        columns = [*kept, "id", "company_id", "department_id", "owner_id"]
        with (
            load.indexes_rebuilt_after(
                self.cur, table, rows=plan.people, seconds=self.index_seconds(table)
            ),
            self.stage("people"),
            load.copy_into(self.cur, table, columns) as write,
        ):
            for chunk, block in load.ahead(draw, plan.people_chunks()):
                write(block)
                at = slice(chunk.rows.start, chunk.rows.stop)
                company[at] = chunk.frame["company"].to_numpy()
                owner[at] = chunk.frame["owner"].to_numpy()
                weight[at] = chunk.buy_weight
                person_types.append(chunk.person_types)
                selection_types.append(chunk.selection_types)
                self.advance(len(chunk.rows))
        with self.stage("person types"):
            for name, master, pairs in (
                ("person_types", PersonType, person_types),
                ("selection_types", SelectionType, selection_types),
            ):
                self.m2m_rows[name] = 0
                if pairs:
                    joined = pd.concat(pairs, ignore_index=True)
                    self.copy_pairs(
                        Person, name, joined["person"].to_numpy() + first, joined["code"], master
                    )
                    self.m2m_rows[name] = len(joined)
        self.person_first = first
        self.analyze.append(table_of(Person))
        if plan.people:
            weight /= weight.sum()
        return Buyers(company=company, owner=owner, weight=weight)

    def copy_pairs(
        self,
        model: type[models.Model],
        name: str,
        ids: np.ndarray,
        codes: pd.Series,
        master: type[models.Model],
    ) -> None:
        """Many-to-many rows (model id, master code) in one binary COPY."""
        table, own, other = _m2m(model, name)
        self.analyze.append(table)
        master_ids = codes.map(self.codes[master]).to_numpy(dtype=np.int64)
        with (
            load.indexes_rebuilt_after(
                self.cur, table, rows=len(ids), seconds=self.index_seconds(table)
            ),
            load.copy_into(self.cur, table, [own, other], binary=True) as write,
        ):
            if len(ids):
                write(load.binary_block({own: ("int8", ids), other: ("int8", master_ids)}))

    def sales(self, buyers: Buyers) -> None:
        """Sales in one binary COPY, a chunk at a time, in date order."""
        plan = self.plan
        table = table_of(Sale)
        days = calendar(plan)

        def draw(rows: range) -> tuple[int, list[Buffer]]:
            frame = sales_chunk(plan, buyers, self.product_frame, days, rows)
            # A sale to a private customer has no company: NULL, which changes the row
            # layout, so those rows make a second block.
            with_company = frame["company"].to_numpy() >= 0
            blocks = []
            for part, has_company in ((frame[with_company], True), (frame[~with_company], False)):
                if len(part):
                    blocks.append(
                        load.binary_block(
                            {
                                "sold_on": ("date", part["sold_on"].to_numpy()),
                                "quantity": ("int4", part["quantity"].to_numpy()),
                                "amount": ("int8", part["amount"].to_numpy()),
                                "created_at": ("timestamptz", part["created_at"]),
                                "person_id": (
                                    "int8",
                                    part["person"].to_numpy() + self.person_first,
                                ),
                                "product_id": (
                                    "int8",
                                    self.product_ids[part["product"].to_numpy()],
                                ),
                                "sold_by_id": ("int8", self.staff_ids[part["sold_by"].to_numpy()]),
                                "company_id": (
                                    "int8",
                                    part["company"].to_numpy() + self.company_first
                                    if has_company
                                    else None,
                                ),
                            }
                        )
                    )
            return len(rows), blocks

        columns = [
            "sold_on",
            "quantity",
            "amount",
            "created_at",
            "person_id",
            "product_id",
            "sold_by_id",
            "company_id",
        ]
        with (
            load.indexes_rebuilt_after(
                self.cur, table, rows=plan.sales, seconds=self.index_seconds(table)
            ),
            self.stage("sales"),
            load.copy_into(self.cur, table, columns, binary=True) as write,
        ):
            for count, blocks in load.ahead(draw, plan.sales_chunks()):
                for block in blocks:
                    write(block)
                self.advance(count)
        self.analyze.append(table_of(Sale))
