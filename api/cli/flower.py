"""``meibo flower``: Flower, the Celery monitor (workers, queues, task history)."""

from __future__ import annotations

import argparse

from api.cli.base import python_module, replace_process, require_configured_servers

NAME = "flower"
HELP = "run Flower, the Celery monitor; needs DATABASE_URL and REDIS_URL"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5555, help="port to bind (default 5555)")


def command(*, host: str, port: int) -> list[str]:
    return python_module(
        "celery", "-A", "workers.celery", "flower", f"--address={host}", f"--port={port}"
    )


def run(args: argparse.Namespace) -> int:
    require_configured_servers(NAME)
    replace_process(command(host=args.host, port=args.port))
