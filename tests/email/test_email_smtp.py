"""mailing.email.smtp against a real aiosmtpd server."""

from __future__ import annotations

import email
from email import policy

import pytest

from mailing.email.compose import Composer, Content, Envelope, RecipientData
from mailing.email.smtp import Outcome, ServerConfig, SmtpClient, SmtpUnavailable
from tests.factories.email import free_port

COMPOSER = Composer(
    content=Content(subject="ご案内", body_text="{{recipient_name}} 様\n.先頭がドットの行\n"),
    envelope=Envelope(mailing_id=1, mailing_name="ご案内", from_address="info@meibo.example.jp"),
)


def message(address: str, recipient_id: int = 1):
    return COMPOSER.message(RecipientData(id=recipient_id, email=address, full_name="山田 太郎"))


@pytest.fixture
def client(sink):
    client = SmtpClient(ServerConfig(host="127.0.0.1", port=sink.port, timeout=5))
    yield client
    client.quit()


@pytest.mark.parametrize(
    "address", ["taro..yamada@docomo.ne.jp", "taro.@ezweb.ne.jp", ".hanako@softbank.ne.jp"]
)
def test_carrier_addresses_are_sent_as_they_are(client, sink, address):
    outcome = client.send(message(address), before_dot=lambda: True)
    assert outcome.kind == Outcome.SENT
    assert sink.messages[-1].rcpt_tos == [address]
    assert email.message_from_bytes(sink.messages[-1].data, policy=policy.default)["to"]


def test_the_message_arrives_whole_with_its_dot_lines(client, sink):
    client.send(message("a@example.jp"), before_dot=lambda: True)
    mail = email.message_from_bytes(sink.messages[-1].data, policy=policy.default)
    assert ".先頭がドットの行" in mail.get_content()


def test_one_connection_carries_many_messages(client, sink):
    for n in range(5):
        client.send(message(f"u{n}@example.jp", n), before_dot=lambda: True)
    first = client._smtp
    client.send(message("last@example.jp"), before_dot=lambda: True)
    assert client._smtp is first
    assert len(sink.messages) == 6


def test_4xx_is_temporary_and_5xx_permanent(smtp_server):
    sink = smtp_server(temporary={"grey@example.jp": 1}, permanent={"nobody@example.jp"})
    client = SmtpClient(ServerConfig(host="127.0.0.1", port=sink.port, timeout=5))
    temporary = client.send(message("grey@example.jp"), before_dot=lambda: True)
    assert (temporary.kind, temporary.code, temporary.stage) == (Outcome.TEMPORARY, 451, "RCPT")
    permanent = client.send(message("nobody@example.jp"), before_dot=lambda: True)
    assert (permanent.kind, permanent.code) == (Outcome.PERMANENT, 550)
    assert permanent.text.startswith("5.1.1")
    # The connection is still good after the refusals, and greylisting passes the 2nd time.
    assert client.send(message("grey@example.jp"), before_dot=lambda: True).kind == Outcome.SENT
    assert [m.rcpt_tos for m in sink.messages] == [["grey@example.jp"]]
    client.quit()


def test_a_withdrawn_message_is_never_delivered(client, sink):
    outcome = client.send(message("a@example.jp"), before_dot=lambda: False)
    assert outcome.kind == Outcome.ABORTED
    assert client.send(message("b@example.jp"), before_dot=lambda: True).kind == Outcome.SENT
    assert [m.rcpt_tos for m in sink.messages] == [["b@example.jp"]]


def test_an_unreachable_server_is_unavailable_not_a_recipient_failure():
    client = SmtpClient(ServerConfig(host="127.0.0.1", port=free_port(), timeout=2))
    with pytest.raises(SmtpUnavailable):
        client.send(message("a@example.jp"), before_dot=lambda: True)


def test_the_hooks_run_in_order_around_the_final_dot(client, sink):
    calls: list[str] = []

    def before_dot() -> bool:
        calls.append("before_dot")
        assert sink.messages == []  # the server has not got the message yet
        return True

    def after_dot() -> None:
        calls.append("after_dot")

    outcome = client.send(
        message("a@example.jp"),
        before_data=lambda: calls.append("before_data"),
        before_dot=before_dot,
        after_dot=after_dot,
    )
    assert outcome.kind == Outcome.SENT and outcome.handed_over
    assert calls == ["before_data", "before_dot", "after_dot"]


class DatabaseDown(Exception):
    pass


@pytest.mark.parametrize("hook", ["before_data", "before_dot"])
def test_a_failing_hook_abandons_the_transaction_and_the_next_message_still_goes(
    client, sink, hook
):
    def fail():
        raise DatabaseDown

    hooks = {"before_dot": lambda: True, hook: fail}
    with pytest.raises(DatabaseDown):
        client.send(message("a@example.jp"), **hooks)
    # Not a 503 "nested MAIL" taken for this recipient's permanent failure.
    assert client.send(message("b@example.jp"), before_dot=lambda: True).kind == Outcome.SENT
    assert [m.rcpt_tos for m in sink.messages] == [["b@example.jp"]]
