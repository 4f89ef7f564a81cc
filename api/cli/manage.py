"""``meibo manage …``: Django's management commands (migrate, createsuperuser, shell, …)."""

from __future__ import annotations

import argparse
import os

from api.cli.base import stop_servers

NAME = "manage"
HELP = "run a Django management command: meibo manage migrate, meibo manage createsuperuser …"
# Everything after ``manage`` belongs to Django, ``--help`` included.
PASSTHROUGH = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="the command and its arguments")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["meibo manage", *args.argv])
    finally:
        stop_servers()
    return 0
