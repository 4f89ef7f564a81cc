"""The ``meibo`` command.

Each subcommand is one module of this package with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; ``COMMANDS`` is the table of them, so a
new subcommand is one module plus one line here. Modules import Django only inside ``run``,
so that ``meibo --help`` is instant and never starts a server.
"""

from __future__ import annotations

import argparse
from types import ModuleType

from api.cli import beat, flower, import_, manage, seed, up, web, worker

COMMANDS: tuple[ModuleType, ...] = (up, web, worker, beat, flower, seed, import_, manage)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="meibo",
        description="Meibo (名簿): customer register and mailing system.",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        sub = subcommands.add_parser(
            module.NAME,
            help=module.HELP,
            description=module.HELP,
            add_help=not getattr(module, "PASSTHROUGH", False),
        )
        module.add_arguments(sub)
        sub.set_defaults(module=module)
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse a command line. Options a pass-through command does not know (``meibo manage
    --help``) stay in front of its arguments instead of being refused."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if not getattr(args.module, "PASSTHROUGH", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.argv = extra + args.argv
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    return args.module.run(args)
