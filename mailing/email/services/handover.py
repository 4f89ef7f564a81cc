"""A lane's two statements per message, sent on its database session without waiting for
their replies, so that neither costs the message a round trip and the mark goes out within
microseconds of the final dot.

- The *check* (is the mailing still running, is the person still reachable?) is sent once
  the server has accepted the recipient and read just before the final dot: an unsubscribe
  or a pause until then withdraws the message.
- The *mark* (the batch's ``handed`` = this message's position) is sent right after the final
  dot is written to the SMTP socket; its reply is read after the server's (``drain``).
  PostgreSQL runs a statement it has received even when the client is gone, so a mark that
  left the worker
  commits; a dot that left the worker reaches the server (the kernel sends what was written
  before a killed process's socket closes). Recovery (services.batches) therefore reads the
  mark as "this message was handed over". The one case it misreads is a worker killed in the
  few microseconds between writing the dot and writing the mark: that message is sent again.

The statements are prepared once per database session with SQL ``PREPARE``, and driven
through psycopg's libpq connection directly: psycopg's own ``execute`` waits for the reply.
Every reply is read before anything else uses the session (``drain``)."""

from __future__ import annotations

import selectors

import psycopg
from psycopg import pq

from mailing.email.services.batches import B, M, P

CHECK_NAME = "meibo_email_check"
MARK_NAME = "meibo_email_handed"

PREPARE = {
    CHECK_NAME: f"""
PREPARE {CHECK_NAME}(bigint, bigint) AS
SELECT EXISTS (SELECT 1 FROM {M} m WHERE m.id = $1 AND m.state = 'running')
   AND EXISTS (SELECT 1 FROM {P} p WHERE p.id = $2 AND NOT p.opt_out_email
               AND NOT p.email_invalid)
""",
    # A HOT update of the lane's own batch row.
    MARK_NAME: f"""
PREPARE {MARK_NAME}(bigint, int) AS
UPDATE {B} SET handed = $2, handed_at = statement_timestamp() WHERE id = $1
""",
}


class Handover:
    def __init__(self, conn: psycopg.Connection, *, mailing_id: int):
        self.pg = conn.pgconn
        self.mailing_id = mailing_id
        self._waiting = 0  # statements sent whose replies are not read yet
        self._selector = selectors.DefaultSelector()
        self._prepare(conn)

    @staticmethod
    def _prepare(conn: psycopg.Connection) -> None:
        # Django keeps a session across tasks: prepare what this session has not yet.
        present = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM pg_prepared_statements WHERE name = ANY(%s)", [list(PREPARE)]
            )
        }
        for name, sql in PREPARE.items():
            if name not in present:
                conn.execute(sql)

    def check_send(self, person_id: int) -> None:
        self._send_prepared(CHECK_NAME, self.mailing_id, person_id)

    def check_result(self) -> bool:
        """True when the message may go: the mailing runs and the person is reachable."""
        (result,) = self._results()
        return result.get_value(0, 0) == b"t"

    def mark_send(self, *, batch_id: int, position: int, durable: bool) -> None:
        """Mark the message at ``position`` handed over. The session commits asynchronously;
        a ``durable`` mark waits for its WAL flush, bounding what a database crash loses.
        Inside a caller's transaction the mark is part of it, and commits with it."""
        if durable and self.pg.transaction_status == pq.TransactionStatus.IDLE:
            # Simple protocol, for the transaction around SET LOCAL; the values are ints.
            self.pg.send_query(
                b"BEGIN; SET LOCAL synchronous_commit = on; "
                + f"EXECUTE {MARK_NAME}({int(batch_id)}, {int(position)}); COMMIT".encode()
            )
            self._sent()
        else:
            self._send_prepared(MARK_NAME, batch_id, position)

    def drain(self) -> None:
        """Read every reply still outstanding (a message that stopped early leaves its check
        unread), so the session can be used again."""
        while self._waiting:
            self._results()

    def close(self) -> None:
        self._selector.close()

    def _send_prepared(self, name: str, *values: int) -> None:
        if self._waiting:
            self.drain()
        self.pg.send_query_prepared(name.encode(), [str(int(v)).encode() for v in values])
        self._sent()

    def _sent(self) -> None:
        self._waiting += 1
        # The connection is non-blocking: push the whole statement into the kernel now.
        while self.pg.flush() == 1:
            self._wait(selectors.EVENT_WRITE)

    def _results(self) -> list[pq.abc.PGresult]:
        """The replies of the oldest statement sent, waiting for them without holding the
        GIL (the lanes of a process are threads)."""
        results, errors = [], []
        pg = self.pg
        while True:
            pg.consume_input()
            while pg.is_busy():
                self._wait(selectors.EVENT_READ)
                pg.consume_input()
            result = pg.get_result()
            if result is None:
                break
            if result.status in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
                results.append(result)
            else:
                errors.append(result.error_message or pg.error_message)
        self._waiting -= 1
        if errors:
            raise psycopg.OperationalError("; ".join(e.decode(errors="replace") for e in errors))
        if pg.status != pq.ConnStatus.OK:
            raise psycopg.OperationalError(pg.error_message.decode(errors="replace"))
        return results

    def _wait(self, events: int) -> None:
        self._selector.register(self.pg.socket, events)
        try:
            self._selector.select()
        finally:
            self._selector.unregister(self.pg.socket)
