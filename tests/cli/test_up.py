"""`meibo up` for real, as a new user runs it: no DATABASE_URL/REDIS_URL, so embedded servers
in a fresh data directory; a token and the admin site; a clean stop that leaves no process
behind; and a second start on the same data."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.up

MEIBO = Path(sys.executable).with_name("meibo")
ROOT = Path(__file__).resolve().parents[2]
ADMIN = "shacho"
PASSWORD = "Meibo-test-2468"
READY_TIMEOUT = 120
STOP_TIMEOUT = 60


class Meibo:
    """One `meibo up` process, its output in a file."""

    def __init__(self, *, data_dir: Path, log: Path, **env: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        # A user's shell: the servers pytest itself uses are not configured for Meibo.
        child_env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DATABASE_URL", "REDIS_URL"} and not name.startswith("MEIBO_")
        }
        child_env.update(MEIBO_DATA_DIR=str(data_dir), MEIBO_ADMIN_USER=ADMIN, **env)
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(MEIBO), "up", "--port", str(self.port)],
            cwd=ROOT,
            env=child_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"meibo up exited with {self.proc.returncode}:\n{self.output()[-5000:]}"
                )
            if "Press Ctrl-C to stop." in self.output():
                return
            time.sleep(0.3)
        self.kill()
        pytest.fail(f"meibo up not ready after {READY_TIMEOUT} s:\n{self.output()[-5000:]}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.wait()

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"meibo up still running {STOP_TIMEOUT} s on:\n{self.output()[-5000:]}")
        finally:
            self._log.close()

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def token(self, password: str) -> tuple[int, dict]:
        return self.request("/api/v1/auth/token/", data={"username": ADMIN, "password": password})

    def request(self, path: str, *, data: dict | None = None, token: str | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, kind = response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            status, raw, kind = exc.code, exc.read(), exc.headers
        except OSError as exc:
            pytest.fail(f"{path}: {exc!r}\n{self.output()[-5000:]}")
        if "json" in kind.get("Content-Type", ""):
            return status, json.loads(raw)
        return status, {}


@pytest.fixture
def start_meibo(tmp_path):
    """Starts `meibo up`; whatever the test's outcome, none is left running after it."""
    started: list[Meibo] = []

    def start(name: str, **env: str) -> Meibo:
        meibo = Meibo(data_dir=tmp_path / "var", log=tmp_path / f"{name}.log", **env)
        started.append(meibo)
        return meibo

    yield start
    for meibo in started:
        if meibo.proc.poll() is None:
            meibo.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_of(data_dir: Path) -> list[str]:
    """Processes that belong to this data directory: its embedded servers, and any child of
    `meibo up` (they all inherit MEIBO_DATA_DIR)."""
    marker = str(data_dir)
    found = []
    for proc in psutil.process_iter(["pid", "name", "cmdline", "cwd", "environ"]):
        info = proc.info
        places = [*(info["cmdline"] or []), info["cwd"] or ""]
        if (info["environ"] or {}).get("MEIBO_DATA_DIR") == marker or any(
            marker in place for place in places
        ):
            found.append(f"{info['pid']} {info['name']} {' '.join(info['cmdline'] or [])}")
    return found


def _no_processes_of(data_dir: Path) -> list[str]:
    # The servers are stopped synchronously; the grace only absorbs the kernel's reaping.
    deadline = time.monotonic() + 3
    while (left := _processes_of(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _seed_jobs(meibo: Meibo, token: str) -> int:
    status, body = meibo.request("/api/v1/jobs/?kind=seed", token=token)
    assert status == 200, body
    return body["count"]


def test_meibo_up_serves_stops_cleanly_and_starts_again_on_the_same_data(tmp_path, start_meibo):
    data_dir = tmp_path / "var"

    # given a first start with the admin's password in the environment
    first = start_meibo("first", MEIBO_ADMIN_PASSWORD=PASSWORD)
    first.wait_ready()

    # then the admin gets a token, the admin site has its styles, demo data is asked for
    status, body = first.token(PASSWORD)
    assert status == 200, body
    token = body["token"]
    assert first.request("/admin/login/")[0] == 200
    assert first.request("/static/admin/css/base.css")[0] == 200
    assert _seed_jobs(first, token) == 1

    # and SIGTERM stops everything: exit 0, no server or child left for this data directory
    assert first.stop() == 0, first.output()[-5000:]
    assert _no_processes_of(data_dir) == []
    assert "stopped" in first.output().splitlines()[-1]

    # when Meibo starts again on the same data, with another password in the environment
    second = start_meibo("second", MEIBO_ADMIN_PASSWORD="Other-1357")
    second.wait_ready()

    # then the admin and their password are the first start's, and no second demo load
    assert second.token(PASSWORD)[0] == 200
    assert second.token("Other-1357")[0] == 400
    assert _seed_jobs(second, token) == 1
    assert "demo data" not in second.output()

    # and when one of its children dies, Meibo stops everything and says so
    beat = next(p for p in psutil.Process(second.proc.pid).children() if "beat" in p.cmdline())
    beat.kill()
    assert second.wait() == 1, second.output()[-5000:]
    assert "beat exited unexpectedly" in second.output()
    assert _no_processes_of(data_dir) == []
