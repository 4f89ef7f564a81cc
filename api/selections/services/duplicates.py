"""名寄せ: the same human present as two person records.

Two records are the same human when their normalised names are equal and they share a
normalised postal address, a phone number or an e-mail address. Input rules already store
names, phones and e-mail canonically (NFKC, canonical phone format, lower-case domains), so
the keys here only drop spaces and lower-case the e-mail's local part.

Within each group of records sharing (name, key) the record updated most recently is kept
(ties: the older record); every other record names the record it collapses into and the key
it matched on. A record matched through two keys to two different records collapses into the
one that was kept, following the chain, so every group ends at exactly one kept record.

Everything is one SQL statement over the candidate ids (window functions over the keys), so
it runs set-based on sets of hundreds of thousands.
"""

from __future__ import annotations

from typing import Any

from api.people.models import Person

PERSON = Person._meta.db_table

KEEP_RULE = "最終更新日時が新しい記録を採用 (kept the most recently updated record)"

# (person id, kept person id, matched_on) for every record that is not kept. ``{members}``
# is a query returning candidate person ids, as ``person_id``.
#
# Shape, for sets of hundreds of thousands (where most names are shared by someone: 佐藤
# 翔太 …): every (name, key) becomes two 64-bit hashes, a hash aggregate over those integers
# finds the few held by two or more records, and only those rows are sorted and ranked. The
# pairs found are checked against the names themselves, so a hash collision cannot merge two
# people. Phones and e-mail domains are compared as stored, since the input rules store them
# canonically; names and addresses lose their spaces (half- and full-width).
DUPLICATES_SQL = rf"""
WITH RECURSIVE cand AS MATERIALIZED (
    SELECT p.id, p.updated_at,
           replace(replace(p.family_name || coalesce(p.given_name, ''), ' ', ''), '　', '')
               AS name_key,
           CASE WHEN coalesce(p.postal_code, '') <> '' AND coalesce(p.address1, '') <> ''
                THEN replace(replace(
                    p.postal_code || p.address1 || coalesce(p.address2, ''), ' ', ''), '　', '')
           END AS address_key,
           nullif(p.phone, '') AS phone_key,
           nullif(p.mobile_phone, '') AS mobile_key,
           nullif(lower(p.email), '') AS email_key,
           nullif(lower(p.mobile_email), '') AS mobile_email_key
    FROM {PERSON} p
    WHERE p.id IN ({{members}})
),
keys AS MATERIALIZED (
    SELECT c.id, c.updated_at, hashtextextended(c.name_key, 0) AS nh, k.kind,
           hashtextextended(k.key, 0) AS kh
    FROM cand c
    CROSS JOIN LATERAL (VALUES
        ('address', c.address_key), ('phone', c.phone_key), ('phone', c.mobile_key),
        ('email', c.email_key), ('email', c.mobile_email_key)
    ) AS k(kind, key)
    WHERE k.key IS NOT NULL
),
shared AS (
    SELECT nh, kind, kh FROM keys GROUP BY nh, kind, kh HAVING count(*) > 1
),
ranked AS (
    SELECT k.id, k.kind,
           first_value(k.id) OVER w AS keeper,
           first_value(k.updated_at) OVER w AS keeper_updated
    FROM keys k JOIN shared USING (nh, kind, kh)
    WINDOW w AS (PARTITION BY k.nh, k.kind, k.kh ORDER BY k.updated_at DESC, k.id)
),
best AS (
    SELECT DISTINCT ON (r.id) r.id, r.keeper, r.kind
    FROM ranked r
    JOIN cand a ON a.id = r.id
    JOIN cand b ON b.id = r.keeper
    WHERE r.keeper <> r.id AND a.name_key = b.name_key
    ORDER BY r.id, r.keeper_updated DESC, r.keeper, r.kind
),
chain AS (
    SELECT id, keeper, kind, 0 AS depth FROM best
    UNION ALL
    SELECT c.id, b.keeper, c.kind, c.depth + 1
    FROM chain c JOIN best b ON b.id = c.keeper
    WHERE c.depth < 50
)
SELECT DISTINCT ON (id) id AS person_id, keeper AS kept_id, kind AS matched_on
FROM chain
ORDER BY id, depth DESC
"""

# The members' rows and the hash over their keys want more than the default 4 MB.
WORK_MEM = "256MB"


def duplicates_sql(*, members_sql: str, members_params: tuple[Any, ...]) -> tuple[str, tuple]:
    """The 名寄せ query over the person ids that ``members_sql`` returns. Run it after
    ``duplicates_session_set`` in the same transaction."""
    return DUPLICATES_SQL.replace("{members}", members_sql), members_params


def duplicates_session_set(*, cursor: Any) -> None:
    """Settings for the 名寄せ query, for the rest of the caller's transaction."""
    cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    # Compiling the plan to machine code costs more than it saves on these joins.
    cursor.execute("SET LOCAL jit = off")
    # Hash joins only: the members were often inserted by this same transaction, so the
    # estimates are far too small, and a nested loop over two 500,000-row scans ran for
    # minutes.
    cursor.execute("SET LOCAL enable_nestloop = off")
