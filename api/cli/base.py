"""What the subcommands share: Django set-up, the servers' lifetime, child command lines."""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def django_setup() -> None:
    """Load the settings, which start the embedded servers when no URL is configured and
    write their URLs into ``os.environ`` for every child to inherit."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    import django

    django.setup()


def release_connections() -> None:
    """Close this process's database and broker connections.

    The embedded Redis refuses to shut down while another client is connected, and a
    publish (the demo job) leaves a pooled broker connection open."""
    from django.conf import settings
    from django.db import connections

    if not settings.configured:
        return
    connections.close_all()
    celery_module = sys.modules.get("workers.celery")
    if celery_module is not None:
        celery_module.app.amqp.producer_pool.force_close_all()
        celery_module.app.pool.force_close_all()


def stop_servers() -> None:
    """Stop the embedded servers this process started (nothing for configured ones)."""
    from api import runtime

    release_connections()
    runtime.stop_embedded()


def require_configured_servers(command: str) -> None:
    """The single-piece commands are for production, where every piece must reach the same
    servers: starting private embedded ones would silently split the system."""
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        raise SystemExit(
            f"meibo {command}: set {' and '.join(missing)} (see deploy/env.example). "
            "To run everything on this machine with embedded servers, use `meibo up`."
        )


def python_module(module: str, *args: str) -> list[str]:
    """The command line that runs ``python -m module`` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def replace_process(argv: list[str]) -> NoReturn:
    """Become ``argv``, so that a process manager's signals reach the server directly."""
    # Log lines reach journald or `docker logs` as they are written, not a buffer later.
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
