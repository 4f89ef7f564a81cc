"""``meibo web``: the API, admin and UI under gunicorn (production; `meibo up` runs it too)."""

from __future__ import annotations

import argparse

from api.cli.base import python_module, replace_process, require_configured_servers

NAME = "web"
HELP = "run the web server (gunicorn) alone; needs DATABASE_URL and REDIS_URL"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn worker processes (default 3)"
    )


def command(*, host: str, port: int, workers: int) -> list[str]:
    return python_module(
        "gunicorn",
        "api.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # Long work runs as jobs, so a request taking this long is stuck, not busy.
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        # gunicornc is not used; one shared default socket path would make several servers
        # on a host (meibo up beside a systemd unit, the tests) take it from each other.
        "--no-control-socket",
    )


def run(args: argparse.Namespace) -> int:
    require_configured_servers(NAME)
    replace_process(command(host=args.host, port=args.port, workers=args.workers))
