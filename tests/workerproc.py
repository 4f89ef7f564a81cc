"""A real Celery worker process for the tests that need one (never eager mode)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ALL_QUEUES = "default,imports,extract,render,mail"


def test_database_url() -> str:
    """The URL of the database pytest-django created, for processes the test starts."""
    db = connection.settings_dict
    # The embedded server listens on a socket directory given as ?host= in its URL.
    host = db["HOST"] or db["OPTIONS"].get("host") or "localhost"
    if host.startswith("/"):
        host = quote(host, safe="")
    auth = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def purge_queues() -> None:
    """Drop messages left in the broker by an earlier run, so a test sees only its own."""
    from workers.celery import QUEUES, app

    with app.connection_for_write() as conn:
        for name in QUEUES:
            conn.default_channel.queue_purge(name)


def worker_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = test_database_url()
    env["REDIS_URL"] = settings.REDIS_URL
    env["DJANGO_SETTINGS_MODULE"] = "api.settings"
    env.update(extra)
    return env


@contextmanager
def celery_worker(
    *, queues: str = ALL_QUEUES, concurrency: int = 2, log_path: Path | None = None, **env: str
):
    """Start ``celery worker`` as a separate process; stop it (TERM, then KILL) on exit.

    Yields the Popen, so a test can SIGKILL it mid-job."""
    log_path = (
        log_path or Path(os.environ.get("TMPDIR", "/tmp")) / f"meibo-worker-{os.getpid()}.log"
    )
    log_file = open(log_path, "w")  # noqa: SIM115 - closed in finally
    hostname = f"test-{os.getpid()}-{time.monotonic_ns()}@%h"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery",
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "-n",
            hostname,
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=worker_env(**env),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(proc, log_path)
        yield proc
    finally:
        _stop(proc)
        log_file.close()


def _wait_ready(proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{log_path.read_text()[-4000:]}")
        if "ready." in log_path.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"worker not ready after {timeout}s:\n{log_path.read_text()[-4000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def kill_hard(proc: subprocess.Popen) -> None:
    """SIGKILL the worker and all its pool processes, as a crash would."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout}s")


def redis_client() -> redis.Redis:
    url = settings.REDIS_URL
    if url.startswith("redis+socket://"):
        return redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
    return redis.Redis.from_url(url)
