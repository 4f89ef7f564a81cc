"""Executing a selection set: a Mailing on a channel, its recipients written set-based.

Executing twice by mistake records once. Three guards, all in the database:
1. an ``Idempotency-Key`` header is unique on the mailing;
2. without one, an exclusion constraint refuses a second mailing of the same set, channel
   and name within ``DOUBLE_EXECUTE_WINDOW`` (a double click, a re-sent POST);
3. the preparation job writes recipients with ``ON CONFLICT DO NOTHING`` on (mailing, person)
   and returns at once when the mailing is already past ``preparing`` (a redelivered job).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from api.core.errors import Conflict, FieldErrors, ServiceError
from api.jobs.models import Job
from api.jobs.services import job_create
from api.people.models import Company, Department, Person
from api.selections.addressing import (
    company_address_usable,
    email_usable,
    fax_usable,
    home_address_usable,
    own_address_usable,
    postal_usable,
)
from api.selections.models import SelectionMember, SelectionSet
from api.selections.services.duplicates import duplicates_session_set, duplicates_sql
from api.selections.services.sets import selection_set_ensure_idle
from mailing.channels import channel_get
from mailing.models import DOUBLE_EXECUTE_WINDOW, Mailing, MailingExclusion, MailingRecipient

PERSON = Person._meta.db_table
COMPANY = Company._meta.db_table
DEPARTMENT = Department._meta.db_table
MEMBER = SelectionMember._meta.db_table
RECIPIENT = MailingRecipient._meta.db_table
EXCLUSION = MailingExclusion._meta.db_table

OPT_OUT = {
    Mailing.Medium.POST: "opt_out_mail",
    Mailing.Medium.EMAIL: "opt_out_email",
    Mailing.Medium.FAX: "opt_out_fax",
}
USABLE = {
    Mailing.Medium.POST: postal_usable,
    Mailing.Medium.EMAIL: email_usable,
    Mailing.Medium.FAX: fax_usable,
}


def mailing_execute(
    *,
    selection_set: SelectionSet,
    name: str,
    channel: str,
    user: Any,
    medium: str | None = None,
    idempotency_key: str | None = None,
    options: dict | None = None,
) -> tuple[Mailing, bool]:
    """The mailing of ``selection_set`` on ``channel``, and whether it was created now
    (False: this request repeats an earlier one, whose mailing is returned)."""
    handler = channel_get(channel)
    medium = medium or handler.MEDIA[0]
    if medium not in handler.MEDIA:
        raise FieldErrors(
            {
                "medium": [
                    f"the {channel} channel sends by {' or '.join(handler.MEDIA)}, not '{medium}'"
                ]
            }
        )
    if idempotency_key:
        existing = Mailing.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_request(existing, selection_set, name, channel), False
    selection_set_ensure_idle(selection_set=selection_set)
    if selection_set.member_count == 0:
        raise ServiceError(f"set {selection_set.code} has no members", field="selection_set")
    now = timezone.now()
    with transaction.atomic(durable=True):
        # Two racing requests would each insert and then wait on the other's row inside the
        # exclusion check (a deadlock); the set's row lock makes the second wait for the
        # first to commit, and then the constraint refuses it.
        SelectionSet.objects.select_for_update().filter(pk=selection_set.pk).first()
        try:
            with transaction.atomic():
                mailing = Mailing.objects.create(
                    name=name,
                    selection_set=selection_set,
                    channel=channel,
                    medium=medium,
                    selection_set_label=str(selection_set),
                    options=options or {},
                    created_by=user if user.pk else None,
                    idempotency_key=idempotency_key or None,
                    dedupe_until=now + DOUBLE_EXECUTE_WINDOW,
                )
        except IntegrityError:
            existing = _existing(selection_set, name, channel, idempotency_key, now)
            if existing is None:
                raise
            return existing, False
        mailing.job = job_create(
            kind="mailing_execute", params={"mailing_id": mailing.pk}, created_by=user
        )
        mailing.save(update_fields=["job", "updated_at"])
    return mailing, True


def _same_request(
    mailing: Mailing, selection_set: SelectionSet, name: str, channel: str
) -> Mailing:
    if (mailing.selection_set_id, mailing.name, mailing.channel) != (
        selection_set.pk,
        name,
        channel,
    ):
        raise Conflict(
            f"this Idempotency-Key was used for mailing #{mailing.pk} ({mailing.name}); "
            "send a new key for a different request"
        )
    return mailing


def _existing(
    selection_set: SelectionSet, name: str, channel: str, key: str | None, now: Any
) -> Mailing | None:
    if key:
        found = Mailing.objects.filter(idempotency_key=key).first()
        if found is not None:
            return _same_request(found, selection_set, name, channel)
    return (
        Mailing.objects.filter(
            selection_set=selection_set, name=name, channel=channel, dedupe_until__gt=now
        )
        .order_by("-created_at")
        .first()
    )


def _snapshot_sql() -> str:
    """The recipient columns from person ``p``, company ``c``, department ``d``; the postal
    address is the first usable of own, home, company (as ``has_address`` decides)."""
    return f"""
        CASE WHEN {own_address_usable("p")} THEN 'person'
             WHEN {home_address_usable("p")} THEN 'home'
             WHEN c.id IS NOT NULL AND {company_address_usable("c")} THEN 'company'
             ELSE '' END
    """


def mailing_prepare_run(*, job: Job, progress: Any) -> dict[str, Any]:
    """Job ``mailing_execute``: exclusions and recipients of a mailing, set-based.

    Steps, in one transaction:
    1. lock the mailing (a redelivered job finding it past ``preparing`` returns) and the
       set (wait for a job still changing its members);
    2. exclude members who opted out of the medium, then those it cannot reach;
    3. 名寄せ among the rest: the same human twice is mailed once, the other record excluded
       as a duplicate naming the record kept and the key that matched;
    4. insert the recipients with a snapshot of name, company and address;
    5. the channel decides the next state (record-only: done); counts are stored.
    """
    with transaction.atomic(durable=True):
        mailing = Mailing.objects.select_for_update().filter(pk=job.params["mailing_id"]).first()
        if mailing is None:
            raise ServiceError(f"mailing #{job.params['mailing_id']} was deleted")
        if mailing.state != Mailing.State.PREPARING:
            return _summary(mailing)
        if mailing.selection_set_id is None:
            raise ServiceError("the selection set was deleted before the mailing was prepared")
        SelectionSet.objects.select_for_update().filter(pk=mailing.selection_set_id).first()
        handler = channel_get(mailing.channel)
        ids = {"m": mailing.pk, "s": mailing.selection_set_id}
        opted_out = f"p.{OPT_OUT[mailing.medium]}"
        usable = USABLE[mailing.medium]("p")
        with connection.cursor() as cursor:
            duplicates_session_set(cursor=cursor)
            cursor.execute(
                f"""
                INSERT INTO {EXCLUSION} (mailing_id, person_id, reason, matched_on)
                SELECT %(m)s, p.id,
                       CASE WHEN {opted_out} THEN 'opted_out' ELSE 'no_address' END, ''
                FROM {MEMBER} mem JOIN {PERSON} p ON p.id = mem.person_id
                WHERE mem.selection_set_id = %(s)s AND ({opted_out} OR NOT {usable})
                ON CONFLICT DO NOTHING
                """,
                ids,
            )
            remaining = (
                f"SELECT mem.person_id FROM {MEMBER} mem WHERE mem.selection_set_id = %(s)s "
                f"AND NOT EXISTS (SELECT 1 FROM {EXCLUSION} e WHERE e.mailing_id = %(m)s "
                "AND e.person_id = mem.person_id)"
            )
            dup_sql, _ = duplicates_sql(members_sql=remaining, members_params=())
            cursor.execute(
                f"""
                INSERT INTO {EXCLUSION} (mailing_id, person_id, reason, kept_person_id, matched_on)
                SELECT %(m)s, d.person_id, 'duplicate', d.kept_id, d.matched_on FROM ({dup_sql}) d
                ON CONFLICT DO NOTHING
                """,
                ids,
            )
            sent_at = "now()" if handler.RECIPIENT_STATE == MailingRecipient.State.SENT else "NULL"
            cursor.execute(
                f"""
                INSERT INTO {RECIPIENT} (
                    mailing_id, person_id, state, full_name, full_name_kana, company_name,
                    department_name, title, address_source, postal_code, prefecture, address1,
                    address2, email, fax, attempts, error, message_id, created_at, updated_at,
                    sent_at)
                SELECT %(m)s, p.id, %(state)s,
                       concat_ws(' ', p.family_name, p.given_name),
                       concat_ws(' ', p.family_name_kana, p.given_name_kana),
                       coalesce(c.name, ''), coalesce(d.name, ''), coalesce(p.title, ''),
                       a.src,
                       coalesce(CASE a.src WHEN 'person' THEN p.postal_code
                                WHEN 'home' THEN p.home_postal_code
                                WHEN 'company' THEN c.postal_code END, ''),
                       coalesce(CASE a.src WHEN 'person' THEN p.prefecture
                                WHEN 'home' THEN p.home_prefecture
                                WHEN 'company' THEN c.prefecture END, ''),
                       coalesce(CASE a.src WHEN 'person' THEN p.address1
                                WHEN 'home' THEN p.home_address1
                                WHEN 'company' THEN c.address1 END, ''),
                       coalesce(CASE a.src WHEN 'person' THEN p.address2
                                WHEN 'home' THEN p.home_address2
                                WHEN 'company' THEN c.address2 END, ''),
                       coalesce(nullif(p.email, ''), p.mobile_email, ''),
                       coalesce(nullif(p.fax, ''), c.fax, ''),
                       0, '', '', now(), now(), {sent_at}
                FROM {MEMBER} mem
                JOIN {PERSON} p ON p.id = mem.person_id
                LEFT JOIN {COMPANY} c ON c.id = p.company_id
                LEFT JOIN {DEPARTMENT} d ON d.id = p.department_id
                CROSS JOIN LATERAL (SELECT {_snapshot_sql()} AS src) a
                WHERE mem.selection_set_id = %(s)s
                  AND NOT EXISTS (SELECT 1 FROM {EXCLUSION} e
                                  WHERE e.mailing_id = %(m)s AND e.person_id = mem.person_id)
                ORDER BY p.id
                ON CONFLICT DO NOTHING
                """,
                {**ids, "state": handler.RECIPIENT_STATE},
            )
        mailing.recipient_count = MailingRecipient.objects.filter(mailing=mailing).count()
        mailing.excluded = _excluded_counts(mailing)
        mailing.state = handler.prepared(mailing=mailing)
        mailing.prepared_at = timezone.now()
        if mailing.state == Mailing.State.DONE:
            mailing.finished_at = mailing.prepared_at
        mailing.save(
            update_fields=[
                "recipient_count",
                "excluded",
                "state",
                "prepared_at",
                "finished_at",
                "updated_at",
            ]
        )
    progress.update(mailing.recipient_count, mailing.recipient_count)
    return _summary(mailing)


def _excluded_counts(mailing: Mailing) -> dict[str, int]:
    counts = dict.fromkeys(MailingExclusion.Reason.values, 0)
    rows = (
        MailingExclusion.objects.filter(mailing=mailing)
        .values("reason")
        .order_by()
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["reason"]] = row["n"]
    return counts


def _summary(mailing: Mailing) -> dict[str, Any]:
    return {
        "mailing": mailing.pk,
        "state": mailing.state,
        "recipients": mailing.recipient_count,
        "excluded": mailing.excluded,
    }
