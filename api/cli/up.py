"""``meibo up``: all of Meibo on this machine, in the foreground, until Ctrl-C.

With ``DATABASE_URL``/``REDIS_URL`` unset, loading the settings starts the embedded PostgreSQL
and Redis under ``MEIBO_DATA_DIR``; the web server, worker and beat run as children that
inherit their URLs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from api.cli import beat, seed, web, worker
from api.cli.base import django_setup, release_connections, stop_servers
from api.cli.supervise import Supervisor

if TYPE_CHECKING:
    from api.bootstrap import Bootstrap

NAME = "up"
HELP = "run everything here: database, broker, web server, worker and beat (Ctrl-C stops all)"

WEB_WORKERS = 2
WORKER_CONCURRENCY = 2
READY_TIMEOUT = 120.0
# Long enough for a worker to finish a short task (warm shutdown) before it is killed;
# late acks mean a killed task is redelivered, not lost.
STOP_TIMEOUT = 30.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    parser.add_argument(
        "--no-demo", action="store_true", help="do not load demo data on the first start"
    )


class StopRequest:
    """SIGINT and SIGTERM: the first asks for a clean stop, a second cuts the wait short."""

    # `uv run` relays the terminal's Ctrl-C to its child, which the terminal also signalled:
    # one key press arrives twice, and only a later one means "hurry".
    REPEAT_WINDOW = 1.0

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.hurry = threading.Event()
        self._first_at = 0.0
        # While preparing (migrations, bootstrap) there is nothing to wind down: the signal
        # interrupts the work and the servers are stopped on the way out.
        self.interrupts = True

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested.is_set():
            if time.monotonic() - self._first_at > self.REPEAT_WINDOW:
                self.hurry.set()
            return
        self._first_at = time.monotonic()
        self.requested.set()
        if self.interrupts:
            raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    supervisor = Supervisor()
    stop = StopRequest()
    stop.install()
    try:
        return _run(args, supervisor, stop)
    except KeyboardInterrupt:
        supervisor.say("stopped before start-up finished")
        return 0
    finally:
        stop.interrupts = False
        stop_servers()
        supervisor.say("stopped")


def _run(args: argparse.Namespace, supervisor: Supervisor, stop: StopRequest) -> int:
    say = supervisor.say
    if not _port_free(args.host, args.port):
        say(f"port {args.port} on {args.host} is in use; choose another with --port")
        return 2
    embedded = [
        server
        for server, variable in (("database", "DATABASE_URL"), ("broker", "REDIS_URL"))
        if not os.environ.get(variable)
    ]
    if embedded:
        say(f"starting the embedded {' and '.join(embedded)}")
    else:
        say("using the servers of DATABASE_URL and REDIS_URL")
    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from api.bootstrap import instance_bootstrap
    from api.core.errors import ServiceError

    say("applying database migrations")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    try:
        boot = instance_bootstrap(
            admin_username=os.environ.get("MEIBO_ADMIN_USER") or "admin",
            admin_password=os.environ.get("MEIBO_ADMIN_PASSWORD") or None,
            demo=None if args.no_demo else seed.DEMO,
        )
    except ServiceError as exc:
        say(f"cannot start: {exc.message}")
        return 2
    release_connections()
    if boot.generated_password:
        # Said now as well as in the banner: should the start fail after this point, the
        # password would otherwise be lost with the admin already created.
        say(f"created the admin {boot.admin.username!r} with password {boot.generated_password}")

    stop.interrupts = False
    if stop.requested.is_set():
        return 0
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "api.settings"}
    supervisor.start(
        {
            "web": web.command(host=args.host, port=args.port, workers=WEB_WORKERS),
            "worker": worker.command(queues=None, concurrency=WORKER_CONCURRENCY, lone=True),
            "beat": beat.command(),
        },
        env=env,
    )
    try:
        code = _serve(
            args, supervisor, stop, boot=boot, embedded=bool(embedded), data_dir=settings.DATA_DIR
        )
    finally:
        say("stopping web, worker and beat")
        supervisor.stop(timeout=STOP_TIMEOUT, hurry=stop.hurry)
        if embedded:
            say(f"stopping the embedded {' and '.join(embedded)}")
    return code


def _serve(
    args: argparse.Namespace,
    supervisor: Supervisor,
    stop: StopRequest,
    *,
    boot: Bootstrap,
    embedded: bool,
    data_dir: Path,
) -> int:
    """Wait until the web server answers, say where everything is, then watch the children
    until a stop is asked for (0) or one of them dies (1)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not _answers(args.host, args.port):
        if stop.requested.wait(0.3):
            return 0
        if (dead := supervisor.exited()) is not None:
            supervisor.say(f"{dead.name} exited with code {dead.proc.returncode} while starting")
            return 1
        if time.monotonic() > deadline:
            supervisor.say(f"the web server did not answer within {READY_TIMEOUT:.0f} s")
            return 1
    for line in _banner(args, boot=boot, embedded=embedded, data_dir=data_dir):
        supervisor.say(line)
    while not stop.requested.wait(0.5):
        if (dead := supervisor.exited()) is not None:
            supervisor.say(
                f"{dead.name} exited unexpectedly with code {dead.proc.returncode}; "
                "stopping everything"
            )
            return 1
    return 0


def _banner(
    args: argparse.Namespace, *, boot: Bootstrap, embedded: bool, data_dir: Path
) -> list[str]:
    base = f"http://{_client_host(args.host)}:{args.port}"
    username = boot.admin.username
    if boot.generated_password:
        password = f"{boot.generated_password}   (generated: note it now, it is not shown again)"
    elif boot.admin_created:
        password = "as given in MEIBO_ADMIN_PASSWORD"
    elif os.environ.get("MEIBO_ADMIN_PASSWORD"):
        password = "as set when this admin was created (MEIBO_ADMIN_PASSWORD is not re-applied)"
    else:
        password = "as set when this admin was created"
    lines = [
        "",
        f"Meibo is running at {base}/",
        f"  admin site   {base}/admin/",
        f"  API docs     {base}/api/docs/   (OpenAPI schema: {base}/api/schema/)",
        f"  user         {username}",
        f"  password     {password}",
        f"  API token    curl -d username={username} -d password=… {base}/api/v1/auth/token/",
    ]
    if boot.demo_job is not None:
        lines.append(
            f"  demo data    loading in the background as job #{boot.demo_job.pk}: "
            f"{base}/api/v1/jobs/{boot.demo_job.pk}/"
        )
    if embedded:
        lines += [
            f"  data         {data_dir} (embedded servers)",
            "  other shells (meibo manage, meibo worker) reach the same servers with:",
            f"    export DATABASE_URL='{os.environ['DATABASE_URL']}' "
            f"REDIS_URL='{os.environ['REDIS_URL']}'",
        ]
    lines += ["Press Ctrl-C to stop.", ""]
    return lines


def _client_host(host: str) -> str:
    """Where a client on this machine connects when the server binds ``host``."""
    return "127.0.0.1" if host in {"0.0.0.0", "", "::"} else host


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _answers(host: str, port: int) -> bool:
    """True once Django answers a request, whatever the status (a host name missing from
    MEIBO_ALLOWED_HOSTS still answers 400): the port alone opens before any worker has
    loaded the application."""
    connection = http.client.HTTPConnection(_client_host(host), port, timeout=30)
    try:
        connection.request("GET", "/admin/login/")
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return True
