"""SMTP for mass mail: one persistent connection per worker process, the SMTP transaction
driven by hand so that the caller can record "handed over" between the message's content
and its final dot.

Why by hand: ``smtplib.SMTP.sendmail`` sends the content and the terminating ``.`` in one
write. The final dot is the moment the server takes responsibility for the message; a
worker that dies before it has delivered nothing, one that dies after it has delivered.
Splitting the two lets the dispatcher check, just before the dot, that the message may still
go (``before_dot``), and record right after it that it went (``after_dot``), so that after a
crash it knows which messages were handed over.

Addresses go into MAIL FROM / RCPT TO exactly as given: Japanese carrier addresses such as
``taro..yamada@docomo.ne.jp`` or ``taro.@ezweb.ne.jp`` break RFC 5321's dot-string, yet
the carriers accept them and their owners expect mail (``smtplib.quoteaddr`` would re-parse
them). Replies: 2xx done, 4xx and timeouts temporary, 5xx permanent.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from mailing.email.compose import Message

T = TypeVar("T")


class SmtpUnavailable(ConnectionError):
    """The server cannot be reached or dropped the connection before a message was handed
    over: nothing is wrong with the recipient, so the work stops and is retried later."""


@dataclass(frozen=True)
class Outcome:
    SENT = "sent"
    TEMPORARY = "temporary"  # 4xx or a timeout: try again after a back-off
    PERMANENT = "permanent"  # 5xx: recorded, never retried
    ABORTED = "aborted"  # ``before_dot`` said no: the message was withdrawn before its dot
    UNCONFIRMED = "unconfirmed"  # the dot went out and the reply never came back

    kind: str
    code: int = 0
    text: str = ""
    stage: str = ""  # MAIL, RCPT, DATA or DOT: where the reply came
    handed_over: bool = False  # the final dot was sent

    @property
    def reply(self) -> str:
        return f"{self.code} {self.text}".strip() if self.code else self.text


@dataclass(frozen=True)
class ServerConfig:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False
    timeout: float = 60.0


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())


class SmtpClient:
    """A connection that stays open across messages and batches (reconnecting when the
    server has closed it)."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            # The content and the dot are separate writes: without NODELAY, Nagle's algorithm
            # holds the dot until the server's delayed ACK (~40 ms a message).
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo()
            if config.use_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnavailable(
                f"SMTP server {config.host}:{config.port} unavailable: {exc}"
            ) from exc
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def quit(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def _command(self, smtp: smtplib.SMTP, command: str, args: str = "") -> tuple[int, str]:
        smtp.putcmd(command, args)
        code, reply = smtp.getreply()
        return code, _text(reply)

    def _refused(self, smtp: smtplib.SMTP, code: int, text: str, stage: str) -> Outcome:
        if code == 421:
            # The server is closing the channel: reconnect for the next message.
            self.close()
        else:
            try:
                self._command(smtp, "rset")
            except (OSError, smtplib.SMTPException):
                self.close()
        kind = Outcome.TEMPORARY if 400 <= code < 500 else Outcome.PERMANENT
        return Outcome(kind, code, text, stage)

    def _envelope(
        self, smtp: smtplib.SMTP, message: Message, before_data: Callable[[], None] | None
    ) -> Outcome | None:
        code, text = self._command(smtp, "mail", f"FROM:<{message.mail_from}>")
        if code != 250:
            return self._refused(smtp, code, text, "MAIL")
        code, text = self._command(smtp, "rcpt", f"TO:<{message.rcpt}>")
        if code not in (250, 251):
            return self._refused(smtp, code, text, "RCPT")
        if before_data is not None:
            before_data()
        code, text = self._command(smtp, "data")
        if code != 354:
            return self._refused(smtp, code, text, "DATA")
        return None

    def _hook(self, hook: Callable[[], T]) -> T:
        """Run a caller's hook mid-transaction; if it fails, the connection is dropped."""
        try:
            return hook()
        except BaseException:
            self.close()
            raise

    def send(
        self,
        message: Message,
        *,
        before_dot: Callable[[], bool],
        before_data: Callable[[], None] | None = None,
        after_dot: Callable[[], None] | None = None,
    ) -> Outcome:
        """One SMTP transaction. ``before_data`` runs once the recipient is accepted (to
        start what ``before_dot`` will need); ``before_dot`` runs after the content and before
        the final dot; when it returns False the message is withdrawn (the connection is dropped,
        which makes the server discard it). ``after_dot`` runs as soon as the dot is written,
        before the reply is read. Raises SmtpUnavailable when the server cannot be used;
        nothing was handed over then."""
        reused = self._smtp is not None
        smtp = self._smtp or self._connect()
        self._smtp = smtp
        try:
            try:
                refused = self._envelope(smtp, message, before_data)
            except smtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                # An idle connection the server closed: once more on a fresh one.
                self.close()
                smtp = self._smtp = self._connect()
                refused = self._envelope(smtp, message, before_data)
            if refused is not None:
                return refused
            smtp.send(message.data.replace(b"\r\n.", b"\r\n.."))
        except TimeoutError:
            self.close()
            return Outcome(Outcome.TEMPORARY, 0, "timed out before the message was sent", "DATA")
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SmtpUnavailable(f"SMTP connection lost: {exc}") from exc
        except BaseException:
            # ``before_data`` failed mid-transaction: a reused connection would answer the
            # next MAIL with 503, taken for the next recipient's permanent failure.
            self.close()
            raise
        if not self._hook(before_dot):
            self.close()
            return Outcome(Outcome.ABORTED)
        try:
            smtp.send(b".\r\n")
        except (OSError, smtplib.SMTPException) as exc:
            # The connection broke before the dot: the server discards what it got.
            self.close()
            return Outcome(Outcome.TEMPORARY, 0, f"connection lost before the end: {exc}", "DOT")
        if after_dot is not None:
            self._hook(after_dot)
        try:
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            return Outcome(
                Outcome.UNCONFIRMED, 0, f"no reply after the message: {exc}", "DOT", True
            )
        text = _text(reply)
        if code == 250:
            return Outcome(Outcome.SENT, code, text, "DOT", True)
        if code == 421:
            self.close()
        kind = Outcome.TEMPORARY if 400 <= code < 500 else Outcome.PERMANENT
        return Outcome(kind, code, text, "DOT", True)
