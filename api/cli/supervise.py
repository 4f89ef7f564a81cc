"""The child processes of `meibo up`: one log stream with a prefix per child, and a stop that
leaves nothing running."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TextIO

_PR_SET_PDEATHSIG = 1
# Looked up before any fork: the child may only make the call itself.
_prctl = ctypes.CDLL(None).prctl if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """Runs in the child before exec: should `meibo up` itself be killed outright (SIGKILL,
    OOM), the kernel sends its children SIGTERM rather than leaving them orphaned."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    reader: threading.Thread = field(init=False)


class Supervisor:
    def __init__(self, *, out: TextIO | None = None):
        self.children: list[Child] = []
        self._out = out or sys.stdout
        self._lock = threading.Lock()
        self._width = len("meibo")

    def say(self, message: str, *, name: str = "meibo") -> None:
        with self._lock:
            self._out.write((f"[{name}]".ljust(self._width + 3) + message).rstrip() + "\n")
            self._out.flush()

    def start(self, commands: dict[str, list[str]], *, env: dict[str, str]) -> None:
        """Start every command before reading any output: forking while reader threads run
        would put their locks into the children."""
        self._width = max(self._width, *(len(name) for name in commands))
        for name, argv in commands.items():
            proc = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                # Its own process group: the terminal's Ctrl-C reaches `meibo up` alone, which
                # then stops the children in order, and a group kill reaches a child's own
                # children (gunicorn and Celery pool processes).
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            self.children.append(Child(name, proc))
        for child in self.children:
            child.reader = threading.Thread(target=self._pump, args=(child,), daemon=True)
            child.reader.start()

    def _pump(self, child: Child) -> None:
        assert child.proc.stdout is not None
        for raw in iter(child.proc.stdout.readline, b""):
            self.say(raw.decode("utf-8", "replace").rstrip(), name=child.name)
        child.proc.stdout.close()

    def exited(self) -> Child | None:
        """The first child that is no longer running, if any."""
        return next((child for child in self.children if child.proc.poll() is not None), None)

    def stop(self, *, timeout: float, hurry: threading.Event) -> None:
        """SIGTERM every child, wait up to ``timeout`` (or until ``hurry`` is set), then SIGKILL
        what remains of each child's process group."""
        for child in self.children:
            if child.proc.poll() is None:
                child.proc.terminate()
        deadline = time.monotonic() + timeout
        while (
            any(child.proc.poll() is None for child in self.children)
            and time.monotonic() < deadline
            and not hurry.is_set()
        ):
            time.sleep(0.1)
        for child in self.children:
            if child.proc.poll() is None:
                self.say(f"{child.name} did not stop in time; killing it")
            # Also sweeps a stray grandchild left in the group by a child that did stop.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.proc.pid, signal.SIGKILL)
            child.proc.wait()
        for child in self.children:
            child.reader.join(timeout=5)
