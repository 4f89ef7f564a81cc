"""The supervisor of `meibo up`'s children: prefixed logs, noticing a death, stopping all."""

import io
import os
import sys
import threading
import time

import psutil

from api.cli.supervise import Supervisor


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


SLEEPER = "import time\nwhile True: time.sleep(0.1)"
# Ignores SIGTERM, as a child stuck in a long task would.
STUBBORN = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('stubborn', flush=True)\n"
    "while True: time.sleep(0.1)"
)


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_each_line_of_a_child_is_prefixed_with_its_name():
    out = io.StringIO()
    supervisor = Supervisor(out=out)
    supervisor.start({"web": _python("print('ready'); print('日本語も')")}, env=dict(os.environ))

    assert _wait_for(lambda: "日本語も" in out.getvalue())
    supervisor.stop(timeout=5, hurry=threading.Event())

    assert "[web]   ready\n" in out.getvalue()
    assert "[web]   日本語も\n" in out.getvalue()


def test_a_child_that_exits_is_noticed():
    supervisor = Supervisor(out=io.StringIO())
    supervisor.start(
        {"web": _python(SLEEPER), "beat": _python("raise SystemExit(3)")}, env=dict(os.environ)
    )

    assert _wait_for(lambda: supervisor.exited() is not None)
    dead = supervisor.exited()
    assert dead.name == "beat" and dead.proc.returncode == 3
    supervisor.stop(timeout=5, hurry=threading.Event())


def test_stop_ends_every_child_and_kills_one_that_ignores_sigterm():
    out = io.StringIO()
    supervisor = Supervisor(out=out)
    supervisor.start({"web": _python(SLEEPER), "worker": _python(STUBBORN)}, env=dict(os.environ))
    assert _wait_for(lambda: "stubborn" in out.getvalue())
    pids = [child.proc.pid for child in supervisor.children]

    started = time.monotonic()
    supervisor.stop(timeout=1.0, hurry=threading.Event())

    assert time.monotonic() - started < 5
    assert all(child.proc.returncode is not None for child in supervisor.children)
    assert not any(psutil.pid_exists(pid) for pid in pids)
    assert "worker did not stop in time; killing it" in out.getvalue()


def test_a_hurried_stop_does_not_wait_for_the_timeout():
    supervisor = Supervisor(out=io.StringIO())
    supervisor.start({"worker": _python(STUBBORN)}, env=dict(os.environ))
    hurry = threading.Event()
    hurry.set()

    started = time.monotonic()
    supervisor.stop(timeout=60, hurry=hurry)

    assert time.monotonic() - started < 5
    assert supervisor.children[0].proc.returncode is not None
