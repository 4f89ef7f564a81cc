"""Reads of the register: lists shaped for their pages, and ``?q=`` search.

Search is over columns PostgreSQL computes on every write (``Person.search_text``,
the expression ``meibo_grams(search_text)``, ``Company.search_text``; see core migration 0001
and people 0002/0003),
so a query is normalised here exactly as those columns are: white space removed, lower-case,
full-width folded; a phone or postal fragment reduced to its digits; hiragana also tried as
katakana (readings are stored in katakana). Three or more characters are a ``LIKE '%q%'``
answered by a pg_trgm GIN index; one or two characters, which have no trigram, are looked up
in the GIN index of each person's 1- and 2-character grams. Every alternative is an OR of
indexed conditions, so PostgreSQL combines bitmap index scans (BitmapOr) instead of reading
the table.

People a bulk import wrote and the search-index job has not reached yet (``search_pending``,
see ``api.people.services.search``) are in none of the search indexes and have no search
text: one more alternative reads them through the flag's partial index and computes their
text on the spot (~16 µs a row). None are pending but for the minutes after a large
import; while a million are, a narrow search takes seconds (16 s measured for 山田太郎 on
1,000,000 pending people, 0.3 s for a page of 佐藤).
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from api.core import normalise
from api.people.models import (
    SEARCH_SOURCE_FIELDS,
    CardExchange,
    CareerEntry,
    Company,
    Department,
    Person,
    SecretNote,
)

# Separators typed inside phone numbers and postal codes (after width folding).
# A fragment may start anywhere in a number, separator included ("-1234-5678").
PHONE_LIKE = re.compile(r"[〒+(\-‐‑‒–—―−ー. ]*[0-9][0-9\-‐‑‒–—―−ー(). ]*")
HIRAGANA = re.compile("[\u3041-\u3096]")
KATAKANA_SHIFT = {cp: cp + 0x60 for cp in range(0x3041, 0x3097)}
LIKE_SPECIAL = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


def search_terms(q: str) -> tuple[list[str], list[str]]:
    """(text terms, digit terms) that a query stands for, each normalised like search_text.

    Text terms also match the company; digit terms (a phone or postal fragment) only the
    person's own phones and postal code. A term is one alternative: a person matches if any
    term occurs in their search text.
    """
    text = normalise.text(q) or ""
    compact = "".join(text.split()).lower().replace("|", "")
    if not compact:
        return [], []
    if PHONE_LIKE.fullmatch(text):
        digits = normalise.phone_digits(text) or ""
        # The typed form too: an address holds 1-2-3 with its hyphens.
        return [], list(dict.fromkeys(t for t in (digits, compact) if t))
    terms = [compact]
    if HIRAGANA.search(compact):
        terms.append(compact.translate(KATAKANA_SHIFT))
    return terms, []


def _like(term: str) -> str:
    return f"%{term.translate(LIKE_SPECIAL)}%"


def term_conditions(column: str, term: str) -> tuple[tuple[str, list[str]], tuple[str, list[str]]]:
    """Two SQL tests (each with its parameters) that ``column`` — a search text — contains
    ``term``: (the one an index answers, the one cheap to check row by row).

    Three or more characters: a LIKE, both for the trigram index and row by row. One or two:
    the grams expression index answers ``meibo_grams(…) @> ARRAY[term]``, but the gram
    function costs ~25 µs a row against ~1 µs for the equivalent LIKE. A search ANDs both
    forms: PostgreSQL takes the index form for its bitmap scan (and, on exact heap pages,
    never evaluates it again) and checks the cheap form on rows it reads one by one.
    """
    like = (f"{column} LIKE %s", [_like(term)])
    if len(term) >= 3:
        return like, like
    return (f"meibo_grams({column}) @> ARRAY[%s]::text[]", [term]), like


def _search_filter(alternatives: list[tuple[tuple[str, list], tuple[str, list]]]) -> RawSQL:
    """(any index form) AND (any cheap form) over the alternatives of a search."""
    indexed = [a[0] for a in alternatives]
    cheap = [a[1] for a in alternatives]
    sql = "(({})) AND (({}))".format(
        ") OR (".join(s for s, _ in indexed), ") OR (".join(s for s, _ in cheap)
    )
    params = [p for _, ps in indexed for p in ps] + [p for _, ps in cheap for p in ps]
    return RawSQL(sql, params, output_field=BooleanField())


def _pending_alternative(table: str, terms: list[str]) -> tuple[tuple[str, list], tuple[str, list]]:
    """The people a bulk import wrote and the search-index job has not reached
    (``search_pending``): the search indexes do not hold them, so their text is computed as
    PostgreSQL computes the column, over the flag's partial index.

    Computed once, into an array of ids (like the company alternative): written as a row
    filter, the function's cost made PostgreSQL plan every search as a parallel scan, whose
    workers cost more than the search itself (e-mail fragment 30 → 70 ms, 佐藤 80 → 220 ms)
    although no row was pending."""
    columns = ", ".join(f"pending.{field}" for field in SEARCH_SOURCE_FIELDS)
    text = f"meibo_person_search_text({columns})"
    likes = " OR ".join(f"{text} LIKE %s" for _ in terms)
    pending = (
        f"{table}.id = ANY(ARRAY(SELECT pending.id FROM {table} pending "
        f"WHERE pending.search_pending AND ({likes})))",
        [_like(t) for t in terms],
    )
    return pending, pending


def person_search(*, queryset: QuerySet[Person], q: str) -> QuerySet[Person]:
    """People whose name, reading, e-mail, postal code, address or phones contain ``q``, or
    whose company's name or reading does. Secret notes are never searched."""
    terms, digit_terms = search_terms(q)
    person = f'"{Person._meta.db_table}"'
    alternatives = []
    for term in [*terms, *digit_terms]:
        # Each index form with the predicate of the partial search indexes, so that the
        # first half of the filter is exactly what the bitmap scans answer and PostgreSQL
        # does not evaluate it again row by row.
        (index_sql, index_params), cheap = term_conditions(f"{person}.search_text", term)
        alternatives.append(((f"NOT {person}.search_pending AND {index_sql}", index_params), cheap))
    for term in terms:
        # One character would match most companies (株, 会); not a useful search.
        if len(term) >= 2:
            # ARRAY(SELECT …) is computed once, and "= ANY(array)" is a bitmap scan of the
            # person company_id index; an IN (subquery) would be a join that cannot be OR-ed.
            (index_sql, index_params), (cheap_sql, cheap_params) = term_conditions(
                "c.search_text", term
            )
            company = (
                f"{person}.company_id = ANY(ARRAY(SELECT c.id FROM {Company._meta.db_table} c "
                f"WHERE {index_sql} AND {cheap_sql}))",
                [*index_params, *cheap_params],
            )
            alternatives.append((company, company))
    if not alternatives:
        return queryset
    alternatives.append(_pending_alternative(person, [*terms, *digit_terms]))
    return queryset.filter(_search_filter(alternatives))


def company_search(*, queryset: QuerySet[Company], q: str) -> QuerySet[Company]:
    """Companies whose name, reading, 法人番号, phone or FAX contain ``q``."""
    terms, digit_terms = search_terms(q)
    table = f'"{Company._meta.db_table}"'
    alternatives = [term_conditions(f"{table}.search_text", t) for t in [*terms, *digit_terms]]
    if not alternatives:
        return queryset
    return queryset.filter(_search_filter(alternatives))


def person_search_order(*, queryset: QuerySet[Person], broad: bool) -> QuerySet[Person]:
    """The order of a page of search results.

    PostgreSQL would answer "matches of 佐藤, by reading, first 50" by walking the reading
    index and testing each row, expecting matches spread evenly; but a name search matches one
    stretch of that index (佐藤 is at サトウ), so it reads every person before サ first
    (~0.3 s on 300,000 people). So:

    * a narrow search (up to the count cap) keeps its order, written ``COALESCE(f, f)`` so no
      index can supply it: the matches are found through the search indexes and only they are
      sorted (1,000 rows at most);
    * a broad search (``count_capped``) comes newest first (``-id``): matches of a broad term
      are spread through the id order, so the walk finds a page after a few thousand rows.
    """
    if broad:
        return queryset.order_by("-id")
    query = queryset.query
    fields = list(query.order_by) or (
        list(queryset.model._meta.ordering) if query.default_ordering else []
    )
    ordering = []
    for field in fields:
        if not isinstance(field, str):
            ordering.append(field)
            continue
        name = field.lstrip("-")
        expression = Coalesce(F(name), F(name))
        ordering.append(expression.desc() if field.startswith("-") else expression.asc())
    return queryset.order_by(*ordering)


def department_search(*, queryset: QuerySet[Department], q: str) -> QuerySet[Department]:
    """Departments by name or reading: few per company, so a plain ILIKE is enough."""
    return queryset.filter(Q(name__icontains=q) | Q(name_kana__icontains=q))


def person_list() -> QuerySet[Person]:
    """People with what a page of them shows: names of company, department and owner, type
    codes and family, in a fixed handful of queries however long the page."""
    own = [f.name for f in Person._meta.concrete_fields if f.name != "search_text"]
    # Of company, department and owner a page shows only the name: their other columns
    # (a company has thirty) would be read and turned into Python for every row.
    return (
        Person.objects.select_related("company", "department", "owner")
        .only(*own, "company__name", "department__name", "owner__name")
        .annotate(
            person_types_codes=_master_codes("person_types"),
            selection_types_codes=_master_codes("selection_types"),
        )
        .prefetch_related("family")
    )


def _master_codes(relation: str) -> ArraySubquery:
    """The codes of a person's masters of one kind, in the masters' order, as one array in
    the page's own query: prefetching them built a master object per person and type and
    cost half of a 50-person page (10 of 19 ms)."""
    field = Person._meta.get_field(relation)
    through, target = field.remote_field.through, field.m2m_reverse_field_name()
    order = [f"{target}__{name}" for name in field.related_model._meta.ordering]
    return ArraySubquery(
        through.objects.filter(**{field.m2m_field_name(): OuterRef("pk")})
        .order_by(*order)
        .values(f"{target}__code")
    )


def company_list() -> QuerySet[Company]:
    return (
        Company.objects.select_related("owner")
        .prefetch_related("classifications")
        .defer("search_text")
    )


def department_list() -> QuerySet[Department]:
    return Department.objects.select_related("company", "parent")


def career_list(*, person: Person) -> QuerySet[CareerEntry]:
    return (
        CareerEntry.objects.filter(person=person)
        .select_related("changed_by")
        .order_by("-ended_on", "-id")
    )


def card_exchange_list(*, person: Person) -> QuerySet[CardExchange]:
    return CardExchange.objects.filter(person=person).select_related("employee")


def secret_note_list(*, person: Person, user: AbstractBaseUser) -> QuerySet[SecretNote]:
    """The caller's own notes on ``person``: nobody else's are ever read, superusers' too."""
    return SecretNote.objects.filter(person=person, author_id=user.pk)


def secret_note_get(*, person: Person, user: AbstractBaseUser, pk: int) -> SecretNote:
    """Another user's note is a 404, exactly like a note that does not exist."""
    return get_object_or_404(secret_note_list(person=person, user=user), pk=pk)
