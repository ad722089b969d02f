"""Command line: `python -m proxi COMMAND`. Each command lives beside the code it drives.

A command module exposes `register(subparsers)`, which adds its parser and sets
`func(args) -> int` (the exit code). Domain errors become a one-line French message.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from proxi.errors import ProxiError

COMMAND_MODULES = [
    "proxi.content.lint",  # check
    "proxi.ops.demo",  # demo
    "proxi.progress.store",  # rebuild
    "proxi.content.twee",  # import twee
    "proxi.documents.export",  # export csv | xapi
    "proxi.ops.backup",  # backup, restore
    "proxi.ops.retention",  # purge
    "proxi.ops.privacy",  # privacy export | erase
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m proxi", description="Proxi")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ProxiError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
