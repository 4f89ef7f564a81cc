"""``meibo beat``: the periodic scheduler (exactly one per installation)."""

from __future__ import annotations

import argparse

from api.cli.base import python_module, replace_process, require_configured_servers

NAME = "beat"
HELP = "run Celery beat (one per installation); needs DATABASE_URL and REDIS_URL"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """beat takes no options: its schedule lives in code (workers/beat.py)."""


def command() -> list[str]:
    from api import runtime

    # The schedule file only remembers when each entry last ran; MEIBO_DATA_DIR keeps it out
    # of the source tree and on the volume that survives a restart.
    schedule = runtime.data_dir() / "celerybeat-schedule"
    return python_module(
        "celery", "-A", "workers.celery", "beat", "-l", "INFO", "--schedule", str(schedule)
    )


def run(args: argparse.Namespace) -> int:
    require_configured_servers(NAME)
    replace_process(command())
