"""``meibo worker``: a Celery worker for some or all queues."""

from __future__ import annotations

import argparse

from api.cli.base import python_module, replace_process, require_configured_servers

NAME = "worker"
HELP = "run a Celery worker; -Q picks its queues; needs DATABASE_URL and REDIS_URL"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-Q",
        "--queues",
        type=queue_list,
        default=None,
        help="comma-separated queues (default: all of default,imports,extract,render,mail)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="worker processes (default: one per CPU)",
    )


def queue_list(value: str) -> list[str]:
    from workers.celery import QUEUES

    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(QUEUES))
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown queue(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(QUEUES)}"
        )
    return names


def command(*, queues: list[str] | None, concurrency: int | None, lone: bool = False) -> list[str]:
    """The worker's command line. ``lone`` is for `meibo up`'s single worker, which has no
    peers to synchronise with at start-up or to gossip with."""
    from workers.celery import QUEUES

    queues = queues or list(QUEUES)
    argv = python_module(
        "celery",
        "-A",
        "workers.celery",
        "worker",
        "-Q",
        ",".join(queues),
        # One node name per queue set, so several workers on a host stay apart in Flower.
        "-n",
        f"{'meibo' if set(queues) == set(QUEUES) else '-'.join(queues)}@%h",
        "-l",
        "INFO",
    )
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if lone:
        argv += ["--without-mingle", "--without-gossip"]
    return argv


def run(args: argparse.Namespace) -> int:
    require_configured_servers(NAME)
    replace_process(command(queues=args.queues, concurrency=args.concurrency))
