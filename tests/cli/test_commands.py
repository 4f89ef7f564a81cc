"""The command table and its argument parsing (no servers are started)."""

import argparse

import pytest

from api.cli import COMMANDS, beat, build_parser, flower, main, manage, parse, seed, up, web, worker
from workers.celery import QUEUES


def test_every_command_module_has_the_interface_the_table_relies_on():
    for module in COMMANDS:
        assert isinstance(module.NAME, str) and module.HELP
        assert callable(module.add_arguments) and callable(module.run)


def test_the_table_has_the_documented_commands_once_each():
    names = [module.NAME for module in COMMANDS]
    assert len(names) == len(set(names))
    assert {"up", "web", "worker", "beat", "seed", "manage"} <= set(names)


def test_the_parser_offers_exactly_the_commands_of_the_table():
    subcommands = next(
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    assert {name: parser.get_default("module") for name, parser in subcommands.choices.items()} == {
        module.NAME: module for module in COMMANDS
    }


def test_up_takes_port_host_and_no_demo():
    args = parse(["up", "--port", "9000", "--host", "0.0.0.0", "--no-demo"])
    assert (args.module, args.port, args.host, args.no_demo) == (up, 9000, "0.0.0.0", True)
    defaults = parse(["up"])
    assert (defaults.port, defaults.host, defaults.no_demo) == (8000, "127.0.0.1", False)


def test_manage_passes_everything_after_it_to_django():
    assert parse(["manage", "migrate", "--plan"]).argv == ["migrate", "--plan"]
    assert parse(["manage", "--help"]).argv == ["--help"]
    assert parse(["manage", "--verbosity", "2", "check"]).argv == ["--verbosity", "2", "check"]
    assert parse(["manage", "createsuperuser"]).module is manage


def test_an_unknown_option_of_an_ordinary_command_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        parse(["up", "--colour"])
    assert exc.value.code == 2
    assert "--colour" in capsys.readouterr().err


def test_an_unknown_command_is_refused():
    with pytest.raises(SystemExit):
        parse(["backup"])


def test_worker_queues_are_checked_against_the_celery_queues(capsys):
    assert parse(["worker", "-Q", "imports,mail"]).queues == ["imports", "mail"]
    with pytest.raises(SystemExit):
        parse(["worker", "-Q", "imports,printing"])
    assert "printing" in capsys.readouterr().err


def test_the_worker_command_line_serves_all_queues_by_default():
    argv = worker.command(queues=None, concurrency=2)
    assert argv[argv.index("-Q") + 1] == ",".join(QUEUES)
    assert argv[argv.index("--concurrency") + 1] == "2"
    assert argv[argv.index("-A") + 1] == "workers.celery"


def test_workers_for_different_queues_get_different_node_names():
    imports = worker.command(queues=["imports"], concurrency=None)
    mail = worker.command(queues=["mail"], concurrency=None)
    assert imports[imports.index("-n") + 1] != mail[mail.index("-n") + 1]


def test_the_web_command_line_binds_gunicorn_to_the_address():
    argv = web.command(host="0.0.0.0", port=8123, workers=3)
    assert "api.wsgi:application" in argv
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert argv[argv.index("--workers") + 1] == "3"


def test_beat_keeps_its_schedule_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEIBO_DATA_DIR", str(tmp_path))
    argv = beat.command()
    assert argv[argv.index("--schedule") + 1] == str(tmp_path / "celerybeat-schedule")


def test_seed_sizes_accept_separators_and_refuse_negatives():
    args = parse(["seed", "--people", "1,000,000", "--sales", "10_000_000", "--seed", "7"])
    assert (args.people, args.sales, args.seed) == (1_000_000, 10_000_000, 7)
    with pytest.raises(SystemExit):
        parse(["seed", "--people", "-5"])
    assert parse(["seed"]).people == seed.DEMO["people"]


@pytest.mark.parametrize("module", [web, worker, beat, flower])
def test_single_piece_commands_refuse_to_start_without_configured_servers(module, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(module, "replace_process", _must_not_start)
    with pytest.raises(SystemExit) as exc:
        main([module.NAME])
    assert "DATABASE_URL and REDIS_URL" in str(exc.value)
    assert "meibo up" in str(exc.value)


def _must_not_start(argv):
    raise AssertionError(f"started {argv}")


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    for module in COMMANDS:
        assert module.NAME in out
