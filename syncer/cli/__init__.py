"""The `syncer` command line. Each command lives in its own module and registers itself on `main`."""

from __future__ import annotations

import logging
import sys

import click

from syncer import __version__
from syncer.exitcodes import EXIT_CODES_HELP


class _Group(click.Group):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write("\n" + EXIT_CODES_HELP)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syncer")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Score, rank and bucket a backlog in Jira, Linear or a local JSON tracker; check WIP; write back."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")


COMMAND_MODULES = ("run", "demo", "score", "sandbox", "schedule", "doctor", "init")
"""Modules under syncer.cli that add their commands to `main` when imported."""


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"syncer.cli.{name}")


_register()
