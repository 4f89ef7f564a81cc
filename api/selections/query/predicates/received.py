"""received: the person was a recipient of a mailing."""

from typing import Any

from api.selections.query.base import (
    DATE_KEYS,
    MAILING,
    RECIPIENT,
    Context,
    QueryError,
    Sql,
    aware_bounds,
    date_range,
    mailing_ids,
    obj,
    texts,
)
from mailing.models import Mailing, MailingRecipient

NAME = "received"
SUMMARY = (
    "was a recipient of a mailing: `mailing` (id or exact name, or a list), `channel`, "
    '`within` or `since`/`until` (when it was sent), `state` (default "sent"; also queued, '
    "sending, failed, cancelled). `{}` means any mailing."
)
EXAMPLE = {"mailing": "2025年 お歳暮送付"}


def compile(value: Any, ctx: Context, path: str) -> Sql:
    if value != {}:
        obj(value, path, allowed=("mailing", "channel", "state", *DATE_KEYS))
    spec: dict = value
    conditions = ["r.person_id = p.id"]
    params: list[Any] = []
    if "mailing" in spec:
        conditions.append("r.mailing_id = ANY(%s::bigint[])")
        params.append(mailing_ids(spec["mailing"], f"{path}.mailing"))
    states = texts(spec.get("state", "sent"), f"{path}.state")
    for state in states:
        if state not in MailingRecipient.State.values:
            raise QueryError(
                f"{path}.state",
                f"unknown state '{state}'; expected one of: "
                f"{', '.join(MailingRecipient.State.values)}",
            )
    conditions.append("r.state = ANY(%s::text[])")
    params.append(states)
    if "channel" in spec:
        channels = texts(spec["channel"], f"{path}.channel")
        for channel in channels:
            if channel not in Mailing.Channel.values:
                raise QueryError(f"{path}.channel", f"unknown channel '{channel}'")
        conditions.append(
            f"r.mailing_id IN (SELECT id FROM {MAILING} WHERE channel = ANY(%s::text[]))"
        )
        params.append(channels)
    start, end = aware_bounds(*date_range(spec, path, ctx.today))
    if start:
        conditions.append("coalesce(r.sent_at, r.created_at) >= %s")
        params.append(start)
    if end:
        conditions.append("coalesce(r.sent_at, r.created_at) < %s")
        params.append(end)
    return Sql(
        f"EXISTS (SELECT 1 FROM {RECIPIENT} r WHERE {' AND '.join(conditions)})", tuple(params)
    )
