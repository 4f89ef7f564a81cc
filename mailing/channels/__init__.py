"""The channels a selection set can be executed on, one module each, registered here.

A channel module has ``CHANNEL`` (a ``Mailing.Channel``), ``MEDIA`` (the media it may stand
for; the first is the default), ``RECIPIENT_STATE`` (the state recipients are written in) and
``prepared(*, mailing) -> str``, called in the preparation's transaction once the recipients
are written; it returns the mailing's next state and may queue the channel's own job (render,
dispatch) with ``job_create``, which publishes after the commit.
"""

from types import ModuleType

from api.core.errors import FieldErrors
from mailing.channels import record_only
from mailing.email import channel as email
from mailing.printing.channels import fax, label, letter, postcard

CHANNELS: dict[str, ModuleType] = {
    module.CHANNEL: module for module in (record_only, label, postcard, letter, fax, email)
}


def channel_get(channel: str) -> ModuleType:
    if channel not in CHANNELS:
        raise FieldErrors(
            {"channel": [f"'{channel}' is not a channel; choose one of: {', '.join(CHANNELS)}"]}
        )
    return CHANNELS[channel]
