"""What the deployment files say, read as data for the tests beside this file."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def documented_variables() -> set[str]:
    """The names deploy/env.example assigns (commented-out lines are prose, not names)."""
    names = set()
    for line in (DEPLOY / "env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def meibo_services() -> dict[str, list[str]]:
    """Each compose service built from Meibo's image, with its command as an argv."""
    return {
        name: as_argv(service["command"])
        for name, service in compose()["services"].items()
        if "build" in service
    }


def kubernetes_commands() -> dict[str, list[str]]:
    commands = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            spec = (document or {}).get("spec", {})
            pod = spec.get("template", {}).get("spec", {})
            for container in pod.get("containers", []):
                key = f"{path.name}:{document['metadata']['name']}/{container['name']}"
                commands[key] = container["command"]
    return commands


def systemd_commands() -> dict[str, list[str]]:
    commands = {}
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in path.read_text().splitlines():
            match = re.match(r"^(ExecStart|ExecStartPre)=(\S*/)?(meibo .*)$", line)
            if match:
                # A templated unit's instance is a queue name.
                argv = shlex.split(match.group(3).replace("%i", "imports"))
                commands[f"{path.name}:{match.group(1)}:{argv[1]}"] = argv
    return commands


def as_argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


@pytest.fixture
def documented() -> set[str]:
    return documented_variables()
