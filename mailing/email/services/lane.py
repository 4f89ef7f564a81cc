"""One worker's sending loop over one mailing (a *lane*), and how a dead lane's work is
given back. The jobs that run lanes are in services.dispatch.

A lane loops:

1. recover the batches of dead lanes (below);
2. claim a batch: ``UPDATE … SET state = 'sending' … WHERE id IN (SELECT … FOR UPDATE SKIP
   LOCKED LIMIT n)``, committed durably before any SMTP. The claim re-reads the person, so
   someone who unsubscribed (or whose address bounced) after the mailing was queued is
   cancelled here instead of mailed. An ``EmailBatch`` row records the claimed ids in the
   order they will be sent, and the lane holds a session advisory lock on it;
3. per message: compose; MAIL and RCPT; send the *check* (services.handover) without
   waiting; DATA and the content; read the check — refused if the mailing no longer runs or the
   person has just opted out, and then the message is withdrawn; the final dot; at once the
   *mark* (``EmailBatch.handed`` = its position), again without waiting; the reply. A failure
   (4xx, 5xx, withdrawn, deferred) is written before the next message's check, at once when
   the reply to the dot was one; a success waits in memory and all of a batch's are written at
   its end, set-based;
4. write the successes; recipients not tried go back to the queue; drop the batch; unlock.

Exactly once, as implemented:

- Two lanes never claim the same recipient (row locks, SKIP LOCKED, the state committed
  before SMTP); a retried or redelivered task only claims what is still queued.
- The mark leaves the worker microseconds after the final dot, and PostgreSQL commits a
  statement it has received even if the worker is then killed; every failure is written
  before the next mark. So in a dead lane's batch a recipient still ``sending`` at or before
  the mark was handed over (recorded sent); one after it was not (back to the queue, sent
  once). A worker killed between MAIL and the dot leaves no mark for that message, and the
  server discards the unfinished transaction when the connection drops.
- The one recipient *at* the mark had its dot sent but its reply not read: the server has
  it unless it refused it at that moment (a content filter's 5xx after the dot). It is
  recorded ``sent`` with ``error`` = UNCONFIRMED, counted as ``unconfirmed`` and listed for a
  person, who may resend it (same Message-ID).
- What is left: a worker killed in the microseconds between writing the dot and writing the
  mark. That message is sent a second time on recovery — the one way a person can get two.
- ``sent_at`` is the time the success was written: the batch's end (seconds after the 250),
  or for a dead lane's batch the time of its last mark.
- A process runs MEIBO_EMAIL_THREADS lanes (``lanes_start``): a killed worker process leaves
  at most that many unconfirmed recipients.
- A dead lane is told from a slow one by its advisory lock, which PostgreSQL releases when
  the lane's database session ends: no timeouts, no guessing.
- Marks commit asynchronously (``synchronous_commit = off``: no ~5 ms fsync a message),
  which survives any crash of a worker; a crash of the *database server* may
  lose the last marks, so every MEIBO_EMAIL_DURABLE_EVERY-th mark of a lane is fsynced: a
  database crash can make at most that many messages per lane go out twice.
"""

from __future__ import annotations

import json
import os
import socket
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from api.core.errors import ServiceError
from api.people.models import Person
from mailing.email.bounces import STATUS
from mailing.email.compose import RecipientData
from mailing.email.models import EmailBounce, EmailMailing
from mailing.email.ratelimit import bucket_for_domain, buckets_for_mailing, take
from mailing.email.services.batches import (
    CLAIM,
    DEFER,
    LOCK_BASE,
    OPTED_OUT,
    OUTCOMES,
    UNCONFIRMED,
    UNREACHABLE,
    B,
    Tally,
    batch_give_back,
    batches_recover,
    server_cursor,
    transaction_if,
)
from mailing.email.services.feedback import email_bounce_record
from mailing.email.services.handover import Handover
from mailing.email.services.relay import backoff, composer_for, smtp_client
from mailing.email.smtp import Outcome
from mailing.models import Mailing, MailingRecipient


@dataclass
class _Pending:
    """Outcomes not yet written. Successes wait for the batch's end; anything else is written
    before the next mark (see the module's docstring: recovery depends on it)."""

    sent: list[int] = field(default_factory=list)
    other: list[tuple[int, str, str, int]] = field(default_factory=list)
    d_ids: list[int] = field(default_factory=list)
    d_at: list[datetime] = field(default_factory=list)
    d_why: list[str] = field(default_factory=list)

    def add(self, recipient_id: int, state: str, *, error: str = "", inc: int = 1) -> None:
        self.other.append((recipient_id, state, error, inc))

    def defer(self, recipient_id: int, until: datetime, why: str) -> None:
        self.d_ids.append(recipient_id)
        self.d_at.append(until)
        self.d_why.append(why)


@dataclass
class _Row:
    id: int
    person_id: int
    attempts: int
    data: RecipientData

    @property
    def domain(self) -> str:
        return self.data.email.rpartition("@")[2].lower()


class _Stopped(Exception):
    """The mailing stopped running (paused or cancelled) while a batch was being sent."""


class Lane:
    def __init__(self, *, mailing_id: int):
        self.mailing_id = mailing_id
        email = (
            EmailMailing.objects.select_related("mailing", "template_version")
            .filter(mailing_id=mailing_id)
            .first()
        )
        if email is None:
            raise ServiceError(f"mailing #{mailing_id} has no e-mail settings")
        self.composer = composer_for(email=email)
        self.client = smtp_client()
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.tally = Tally()
        self.marks = 0
        self.batch_id = 0
        self._domain_next: dict[str, float] = {}

    def mailing_state(self) -> str:
        return Mailing.objects.filter(pk=self.mailing_id).values_list("state", flat=True)[0]

    def _settings(self) -> None:
        """Rates may be changed while the mailing runs: read again for every batch."""
        email = EmailMailing.objects.filter(mailing_id=self.mailing_id).values(
            "rate_per_second", "rate_per_hour", "domain_rates", "domain_rate_default"
        )[0]
        self.buckets = buckets_for_mailing(
            mailing_id=self.mailing_id,
            per_second=email["rate_per_second"],
            per_hour=email["rate_per_hour"],
        )
        self.domain_rates = {k.lower(): v for k, v in (email["domain_rates"] or {}).items()}
        self.domain_default = email["domain_rate_default"]
        # Tokens are taken a quarter second's worth at a time: few Redis calls, and no lane
        # hoards what another could use.
        self.chunk = max(1, min(50, (email["rate_per_second"] or 200) // 4))
        self.tokens = 0

    def claim(self, size: int) -> list[_Row] | None:
        """Claim up to ``size`` queued recipients into a new batch (``self.batch_id``),
        in the order they will be sent; None when nothing is claimable."""
        with server_cursor() as cur:
            with connection.connection.transaction():
                cur.execute("SET LOCAL synchronous_commit = on")
                cur.execute(
                    f"INSERT INTO {B} (mailing_id, worker, claimed_at, recipient_ids, handed) "
                    "VALUES (%s, %s, now(), '{}', 0) RETURNING id",
                    [self.mailing_id, self.worker],
                )
                batch_id = cur.fetchone()[0]
                # Taken before the claim commits: nobody can see the batch unlocked.
                cur.execute("SELECT pg_advisory_lock(%s)", [LOCK_BASE + batch_id])
                cur.execute(
                    CLAIM,
                    {
                        "m": self.mailing_id,
                        "n": size,
                        "b": batch_id,
                        "opted_out": OPTED_OUT,
                        "unreachable": UNREACHABLE,
                    },
                    prepare=True,
                )
                rows = cur.fetchall()
                sending = sorted(
                    (row for row in rows if row[14] == MailingRecipient.State.SENDING),
                    key=lambda row: row[0],
                )
                if not sending:
                    cur.execute(f"DELETE FROM {B} WHERE id = %s", [batch_id])
            if not sending:
                cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_BASE + batch_id])
        self.tally.cancelled += len(rows) - len(sending)
        if not rows:
            return None
        self.batch_id = batch_id if sending else 0
        return [
            _Row(
                id=row[0],
                person_id=row[13],
                attempts=row[7],
                data=RecipientData(
                    id=row[0],
                    email=row[1],
                    full_name=row[2],
                    full_name_kana=row[3],
                    company=row[4],
                    department=row[5],
                    title=row[6],
                    family_name=row[8],
                    given_name=row[9],
                    # Django reads jsonb as text on its connections and decodes it itself.
                    custom=json.loads(row[10]) if isinstance(row[10], str) else row[10] or {},
                    owner_name=row[11],
                    owner_signature=row[12],
                ),
            )
            for row in sending
        ]

    def _flush(self, pending: _Pending, *, successes: bool) -> None:
        """Write the failures (and, with ``successes``, the successes) waiting in memory."""
        outcomes = list(pending.other)
        if successes:
            outcomes += [(recipient_id, "sent", "", 1) for recipient_id in pending.sent]
        if not outcomes and not pending.d_ids:
            return
        cur = self.cursor
        with transaction_if(bool(outcomes) and bool(pending.d_ids)):
            if outcomes:
                cur.execute(
                    OUTCOMES,
                    {
                        "outcomes": json.dumps(outcomes),
                        "ids": [outcome[0] for outcome in outcomes],
                        "domain": self.composer.id_domain,
                    },
                    prepare=True,
                )
            if pending.d_ids:
                cur.execute(
                    DEFER,
                    {"ids": pending.d_ids, "at": pending.d_at, "why": pending.d_why},
                    prepare=True,
                )
        pending.other.clear()
        pending.d_ids.clear()
        pending.d_at.clear()
        pending.d_why.clear()
        if successes:
            pending.sent.clear()

    def _handed(self, position: int) -> None:
        """Mark the message at ``position`` handed over (its dot has just gone). Every
        MEIBO_EMAIL_DURABLE_EVERY-th mark is fsynced."""
        durable = self.marks % settings.MEIBO_EMAIL_DURABLE_EVERY == 0
        self.marks += 1
        self.handover.mark_send(batch_id=self.batch_id, position=position, durable=durable)

    def _take_token(self) -> None:
        while self.tokens <= 0:
            granted, wait = take(self.buckets, self.chunk)
            self.tokens += granted
            if not granted:
                time.sleep(min(wait, 1.0))
                if self.mailing_state() != Mailing.State.RUNNING:
                    raise _Stopped
        self.tokens -= 1

    def _domain_wait(self, row: _Row) -> float:
        """Seconds until this recipient's domain may take one more message (0: now)."""
        per_minute = self.domain_rates.get(row.domain, self.domain_default)
        if not per_minute:
            return 0.0
        now = time.monotonic()
        if self._domain_next.get(row.domain, 0) > now:
            # Already over its rate in this batch: queue behind the ones deferred before.
            self._domain_next[row.domain] += 60 / per_minute
            return self._domain_next[row.domain] - now
        bucket = bucket_for_domain(
            mailing_id=self.mailing_id, domain=row.domain, per_minute=per_minute
        )
        while True:
            granted, wait = take([bucket], 1)
            if granted:
                return 0.0
            if wait > 1.0:
                self._domain_next[row.domain] = now + wait
                return wait
            time.sleep(wait)

    def send_batch(self, rows: list[_Row]) -> None:
        pending = _Pending()
        try:
            self._send_rows(rows, pending)
        finally:
            # Whatever stopped the batch (pause, a lost connection), the outcomes known so
            # far are written: a delivered message must not be taken for an unconfirmed one.
            self._flush(pending, successes=True)

    def _send_rows(self, rows: list[_Row], pending: _Pending) -> None:
        for position, row in enumerate(rows, start=1):
            wait = self._domain_wait(row)
            if wait:
                pending.add(row.id, MailingRecipient.State.QUEUED, inc=0)
                pending.defer(
                    row.id, timezone.now() + timedelta(seconds=wait), f"rate: {row.domain}"
                )
                self.tally.retry += 1
                continue
            self._take_token()
            message = self.composer.message(row.data)
            self._flush(pending, successes=False)
            try:
                outcome = self.client.send(
                    message,
                    before_data=partial(self.handover.check_send, row.person_id),
                    before_dot=self.handover.check_result,
                    after_dot=partial(self._handed, position),
                )
            finally:
                self.handover.drain()
            if outcome.kind == Outcome.ABORTED:
                if self.mailing_state() != Mailing.State.RUNNING:
                    raise _Stopped
                pending.add(
                    row.id, MailingRecipient.State.CANCELLED, error=_why_refused(row), inc=0
                )
                self.tally.cancelled += 1
                continue
            self._record(pending, row, outcome)
            if outcome.handed_over and outcome.kind != Outcome.SENT:
                # Recovery would take a marked message for delivered: say otherwise now.
                self._flush(pending, successes=False)
            if outcome.kind == Outcome.PERMANENT and outcome.stage == "RCPT":
                self._flush(pending, successes=False)
                _bounce_at_rcpt(recipient_id=row.id, email=row.data.email, outcome=outcome)

    def _record(self, pending: _Pending, row: _Row, outcome: Outcome) -> None:
        if outcome.kind == Outcome.SENT:
            pending.sent.append(row.id)
            self.tally.sent += 1
        elif outcome.kind == Outcome.UNCONFIRMED:
            pending.add(row.id, "sent", error=UNCONFIRMED)
            self.tally.unconfirmed += 1
        elif outcome.kind == Outcome.PERMANENT:
            pending.add(row.id, "failed", error=outcome.reply)
            self.tally.failed += 1
        elif row.attempts + 1 >= settings.MEIBO_EMAIL_MAX_ATTEMPTS:
            error = f"gave up after {row.attempts + 1} temporary failures; last: {outcome.reply}"
            pending.add(row.id, "failed", error=error)
            self.tally.failed += 1
        else:
            pending.add(row.id, "queued", error=outcome.reply)
            pending.defer(row.id, timezone.now() + backoff(row.attempts + 1), outcome.reply)
            self.tally.retry += 1

    def release(self) -> None:
        """Give the batch back. Every tried recipient has its outcome written by now unless
        writing it failed: then the one at the mark is recorded unconfirmed, as for a dead
        lane."""
        with server_cursor() as cur:
            try:
                part = batch_give_back(cur, self.batch_id, self.composer.id_domain)
            finally:
                cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_BASE + self.batch_id])
        self.tally.unconfirmed += part.unconfirmed
        self.batch_id = 0

    def run(self, *, until: float | None = None) -> bool:
        """Send batches until nothing is claimable now (True) or ``until`` (a monotonic
        time) passes (False: there may be more)."""
        self.cursor = server_cursor()
        self.cursor.execute("SET synchronous_commit = off")
        self.handover = Handover(connection.connection, mailing_id=self.mailing_id)
        try:
            while until is None or time.monotonic() < until:
                self.tally.add(batches_recover(mailing_id=self.mailing_id))
                self._settings()
                rows = self.claim(settings.MEIBO_EMAIL_BATCH)
                if rows is None:
                    return True
                if not rows:
                    continue
                try:
                    self.send_batch(rows)
                except _Stopped:
                    return True
                finally:
                    self.release()
            return False
        finally:
            self.handover.close()
            self.cursor.execute("RESET synchronous_commit")
            self.cursor.close()


def _why_refused(row: _Row) -> str:
    """Why a mark was refused while the mailing still runs: the person opted out, or the
    address was found invalid, in the moment since the claim."""
    opted_out = Person.objects.filter(pk=row.person_id, opt_out_email=True).exists()
    return OPTED_OUT if opted_out else UNREACHABLE


def _bounce_at_rcpt(*, recipient_id: int, email: str, outcome: Outcome) -> None:
    status = STATUS.match(outcome.text)
    email_bounce_record(
        recipient_id=recipient_id,
        email=email,
        status=status.group(0) if status else "",
        diagnostic=outcome.reply,
        code=outcome.code,
        source=EmailBounce.Source.SMTP,
        reference=f"rcpt:{recipient_id}",
    )


_pool: ThreadPoolExecutor | None = None


def lanes_start(*, mailing_id: int, until: float | None = None) -> list[Future]:
    """Start MEIBO_EMAIL_THREADS lanes of this process side by side, each in its own thread
    with its own database session and SMTP connection (the threads persist, so do both).
    Each future gives (nothing was claimable at the end, what the lane did).

    The work is waiting on two servers, so threads multiply a process's throughput while
    each lane keeps its one-message-in-doubt guarantee. With one thread the lane runs here,
    in the caller's database session, before this returns."""
    global _pool
    count = settings.MEIBO_EMAIL_THREADS
    if count == 1:
        future: Future = Future()
        lane = Lane(mailing_id=mailing_id)
        try:
            future.set_result((lane.run(until=until), lane.tally))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return [future]
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="meibo-email")

    def work() -> tuple[bool, Tally]:
        # Pool threads outlive tasks: drop a database connection that broke meanwhile.
        close_old_connections()
        lane = Lane(mailing_id=mailing_id)
        return lane.run(until=until), lane.tally

    return [_pool.submit(work) for _ in range(count)]


def lanes_result(futures: list[Future]) -> tuple[bool, Tally]:
    """Wait for lanes; (every lane found nothing claimable, their tallies added up). The
    first lane's error, if any, is raised once all have stopped."""
    wait(futures)
    tally = Tally()
    finished = True
    for future in futures:
        done, part = future.result()
        finished = finished and done
        tally.add(part)
    return finished, tally
