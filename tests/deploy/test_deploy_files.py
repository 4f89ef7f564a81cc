"""deploy/ stays consistent with the code: every command is a real `meibo` subcommand, every
variable is documented in env.example, every queue has workers, and there is one beat."""

import re

import pytest
import yaml
from django.core.management import get_commands

from api.cli import parse, worker
from tests.deploy.conftest import (
    DEPLOY,
    ROOT,
    compose,
    kubernetes_commands,
    meibo_services,
    systemd_commands,
)
from workers.celery import QUEUES

# Every process of every topology, so that one check covers them all.
ALL_COMMANDS = {
    **{f"compose:{name}": argv for name, argv in meibo_services().items()},
    **{f"kubernetes:{name}": argv for name, argv in kubernetes_commands().items()},
    **{f"systemd:{name}": argv for name, argv in systemd_commands().items()},
}


def _dockerfile_cmd() -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text()
    return yaml.safe_load(re.search(r"^CMD (\[.*\])$", text, re.MULTILINE).group(1))


@pytest.mark.parametrize("where", sorted(ALL_COMMANDS))
def test_each_process_runs_a_real_meibo_subcommand(where):
    argv = ALL_COMMANDS[where]
    assert argv[0] == "meibo", f"{where} runs {argv[0]}, not meibo"

    args = parse(argv[1:])  # argparse exits (and fails the test) on anything it does not know

    if args.module.NAME == "manage":
        assert args.argv[0] in get_commands(), f"{where}: no management command {args.argv[0]}"


def test_the_image_runs_the_web_server_by_default():
    argv = _dockerfile_cmd()
    assert argv[0] == "meibo" and parse(argv[1:]).module.NAME == "web"


def test_compose_has_the_production_topology():
    services = compose()["services"]
    commands = {name: argv[1] for name, argv in meibo_services().items()}

    assert {"postgres", "redis"} <= set(services)
    assert sorted(commands.values()).count("beat") == 1
    assert {"web", "worker", "beat", "flower"} <= set(commands.values())


def _served_queues(topology: str) -> set[str]:
    if topology == "systemd":
        # One templated unit, instantiated per queue by meibo.target.
        target = (DEPLOY / "systemd" / "meibo.target").read_text()
        return set(re.findall(r"meibo-worker@(\w+)\.service", target))
    served = set()
    for where, argv in ALL_COMMANDS.items():
        if where.startswith(f"{topology}:") and argv[1] == worker.NAME:
            served.update(parse(argv[1:]).queues or QUEUES)
    return served


@pytest.mark.parametrize("topology", ["compose", "kubernetes", "systemd"])
def test_workers_serve_every_queue(topology):
    served = _served_queues(topology)

    assert {"imports", "extract", "render", "mail"} <= served
    assert served == set(QUEUES)


def test_every_variable_compose_refers_to_is_documented(documented):
    text = (DEPLOY / "compose.yaml").read_text()
    interpolated = set(re.findall(r"(?<!\$)\$\{?([A-Z][A-Z0-9_]*)", text))
    environment_keys = {
        key
        for service in compose()["services"].values()
        for key in (service.get("environment") or {})
    }

    assert interpolated | environment_keys <= documented


def test_every_setting_the_code_reads_is_documented(documented):
    reads = re.compile(
        r"""(?:env_[a-z]+|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    )
    read = set()
    for package in ("api", "workers", "importers", "mailing"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                read.update(reads.findall(path.read_text()))

    assert "DATABASE_URL" in read and "MEIBO_SECRET_KEY" in read
    assert read - documented == set(), "add these to deploy/env.example"


def test_the_kubernetes_configmap_holds_only_documented_settings(documented):
    configmap = yaml.safe_load((DEPLOY / "kubernetes" / "configmap.yaml").read_text())
    secret = yaml.safe_load((DEPLOY / "kubernetes" / "secret.example.yaml").read_text())

    assert set(configmap["data"]) | set(secret["stringData"]) <= documented


def test_compose_reads_its_settings_from_the_documented_env_file():
    assert all(
        service.get("env_file") == ".env"
        for service in compose()["services"].values()
        if "build" in service
    )
