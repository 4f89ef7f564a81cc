"""Claimed batches: the SQL that claims recipients and writes their outcomes, and the
recovery of a dead lane's batch (the per-message statements are in services.handover). Why it
is exactly-once is told in services.lane, which runs these statements."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db import connection

from api.masters.models import Employee
from api.people.models import Person
from mailing.email.models import EmailBatch, EmailDeferral, EmailMailing
from mailing.models import Mailing, MailingRecipient

log = logging.getLogger(__name__)

R = MailingRecipient._meta.db_table
M = Mailing._meta.db_table
P = Person._meta.db_table
E = Employee._meta.db_table
B = EmailBatch._meta.db_table
D = EmailDeferral._meta.db_table

# Session advisory locks of batches: this prefix in the high half of the 64-bit key keeps them
# apart from other users of advisory locks, the batch id in the low half.
LOCK_BASE = 0x4D41494C << 32
UNCONFIRMED = (
    "unconfirmed: the worker stopped after handing the message to the SMTP server and "
    "before reading its reply; it was delivered unless the server refused it at that "
    "moment, and is not resent automatically"
)
OPTED_OUT = "cancelled: the person opted out of e-mail before the message was sent"
UNREACHABLE = "cancelled: the address is marked invalid (bounced) or empty"

CLAIM = f"""
WITH picked AS (
    SELECT r.id FROM {R} r
    WHERE r.mailing_id = %(m)s AND r.state = 'queued'
      AND EXISTS (SELECT 1 FROM {M} m WHERE m.id = %(m)s AND m.state = 'running')
      AND NOT EXISTS (SELECT 1 FROM {D} d WHERE d.recipient_id = r.id
                      AND d.not_before > statement_timestamp())
    LIMIT %(n)s
    FOR UPDATE OF r SKIP LOCKED
), claimed AS (
    UPDATE {R} r SET
        state = CASE WHEN p.opt_out_email OR p.email_invalid OR r.email = ''
                     THEN 'cancelled' ELSE 'sending' END,
        error = CASE WHEN p.opt_out_email THEN %(opted_out)s
                     WHEN p.email_invalid OR r.email = '' THEN %(unreachable)s
                     ELSE r.error END,
        updated_at = now()
    FROM picked, {P} p
    WHERE r.id = picked.id AND p.id = r.person_id
    RETURNING r.id, r.state, r.email, r.full_name, r.full_name_kana, r.company_name,
              r.department_name, r.title, r.attempts, p.family_name, p.given_name, p.custom,
              p.owner_id, p.id AS person_id
), recorded AS (
    UPDATE {B} SET recipient_ids = ARRAY(
        SELECT id FROM claimed WHERE state = 'sending' ORDER BY id)
    WHERE id = %(b)s
)
SELECT c.id, c.email, c.full_name, c.full_name_kana, c.company_name, c.department_name,
       c.title, c.attempts, coalesce(c.family_name, ''), coalesce(c.given_name, ''),
       c.custom, coalesce(e.name, ''), coalesce(e.signature, ''), c.person_id, c.state
FROM claimed c LEFT JOIN {E} e ON e.id = c.owner_id
"""

# Outcomes come as one JSON array of [id, state, error, attempts to add]: one parameter is
# cheaper to pass than parallel arrays. A sent message's Message-ID is the one compose gave.
OUTCOMES = f"""
WITH v AS (
    SELECT (e->>0)::bigint AS id, e->>1 AS state, e->>2 AS error, (e->>3)::int AS inc
    FROM jsonb_array_elements(%(outcomes)s::jsonb) e
)
UPDATE {R} r SET state = v.state, error = v.error,
    sent_at = CASE WHEN v.state = 'sent' THEN statement_timestamp() ELSE r.sent_at END,
    message_id = CASE WHEN v.state = 'sent'
                      THEN '<meibo.' || r.mailing_id || '.' || r.id || '@' || %(domain)s || '>'
                      ELSE '' END,
    attempts = r.attempts + v.inc, updated_at = statement_timestamp()
FROM v
-- By primary key: left to itself the planner may walk every 'sending' row of the state
-- index (thousands while lanes run) to find a few.
WHERE r.id = ANY(%(ids)s::bigint[]) AND r.id = v.id AND r.state = 'sending'
"""

DEFER = f"""
INSERT INTO {D} (recipient_id, not_before, reason)
SELECT * FROM unnest(%(ids)s::bigint[], %(at)s::timestamptz[], %(why)s::text[])
ON CONFLICT (recipient_id) DO UPDATE
SET not_before = EXCLUDED.not_before, reason = EXCLUDED.reason
"""

# A batch given back — by its own lane at the end, or by recovery for a dead lane: still
# 'sending' before the mark means delivered (failures are written before the next mark), at
# the mark handed over with its reply unread (unconfirmed), after it not tried (back to the
# queue, or cancelled with the mailing).
GIVE_BACK = f"""
UPDATE {R} r SET
    state = CASE WHEN x.pos <= x.handed THEN 'sent'
                 WHEN m.state = 'cancelled' THEN 'cancelled' ELSE 'queued' END,
    sent_at = CASE WHEN x.pos <= x.handed THEN x.handed_at ELSE r.sent_at END,
    error = CASE WHEN x.pos = x.handed THEN %(unconfirmed)s ELSE r.error END,
    message_id = CASE WHEN x.pos <= x.handed
                      THEN '<meibo.' || r.mailing_id || '.' || r.id || '@' || %(domain)s || '>'
                      ELSE r.message_id END,
    attempts = r.attempts + CASE WHEN x.pos <= x.handed THEN 1 ELSE 0 END,
    updated_at = now()
FROM (SELECT u.id, u.pos, b.handed, b.handed_at
      FROM {B} b, unnest(b.recipient_ids) WITH ORDINALITY AS u(id, pos)
      WHERE b.id = %(b)s) x,
     {M} m
WHERE r.id = x.id AND r.state = 'sending' AND m.id = r.mailing_id
RETURNING r.id, r.state, r.error = %(unconfirmed)s
"""


def server_cursor() -> psycopg.Cursor:
    """A server-side-binding cursor on Django's connection. Django's own cursors bind on the
    client, so PostgreSQL would plan the per-message statement anew every time; with
    ``prepare=True`` it is planned once per connection."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


@contextmanager
def transaction_if(wanted: bool) -> Iterator[None]:
    if not wanted:
        yield
        return
    with connection.connection.transaction():
        yield


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    cancelled: int = 0
    unconfirmed: int = 0
    requeued: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def batch_give_back(cur: psycopg.Cursor, batch_id: int, domain: str) -> Tally:
    """What became of the batch's remaining recipients; the batch row is deleted."""
    with connection.connection.transaction():
        cur.execute("SET LOCAL synchronous_commit = on")
        cur.execute(GIVE_BACK, {"b": batch_id, "unconfirmed": UNCONFIRMED, "domain": domain})
        rows = cur.fetchall()
        cur.execute(f"DELETE FROM {B} WHERE id = %s", [batch_id])
    unconfirmed = sum(1 for _, _, doubt in rows if doubt)
    sent = sum(1 for _, state, _ in rows if state == "sent") - unconfirmed
    return Tally(sent=sent, unconfirmed=unconfirmed, requeued=len(rows) - sent - unconfirmed)


def _message_domain(mailing_id: int) -> str:
    from_address = (
        EmailMailing.objects.filter(mailing_id=mailing_id)
        .values_list("from_address", flat=True)
        .first()
    )
    return settings.MEIBO_EMAIL_BOUNCE_DOMAIN or (from_address or "").rpartition("@")[2]


def batches_recover(*, mailing_id: int) -> Tally:
    """Give back the batches of dead lanes (see the module's docstring). Must not run in a
    session that holds a batch of its own: advisory locks are re-entrant per session."""
    tally = Tally()
    with server_cursor() as cur:
        cur.execute(f"SELECT id, worker FROM {B} WHERE mailing_id = %s", [mailing_id])
        batches = cur.fetchall()
        for batch_id, worker in batches:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_BASE + batch_id])
            if not cur.fetchone()[0]:
                continue  # a live lane's batch
            try:
                part = batch_give_back(cur, batch_id, _message_domain(mailing_id))
            finally:
                cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_BASE + batch_id])
            tally.add(part)
            log.warning(
                "mailing #%s: gave back batch %s of dead worker %s: %d sent, %d queued again, "
                "%d unconfirmed (not resent)",
                mailing_id,
                batch_id,
                worker,
                part.sent,
                part.requeued,
                part.unconfirmed,
            )
    return tally
