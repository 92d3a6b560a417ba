"""The `syncer` command line. Each command lives in its own module and registers itself on `main`."""

from __future__ import annotations

import click

from syncer import __version__
from syncer.exitcodes import EXIT_CODES_HELP
from syncer.logs import LEVELS, configure


class _Group(click.Group):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write("\n" + EXIT_CODES_HELP)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syncer")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-v info, -vv debug).")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "text", "json"]),
    default="auto",
    envvar="SYNCER_LOG_FORMAT",
    show_default=True,
    help="Log lines on stderr: text on a terminal, one JSON object per line otherwise (auto). [env: SYNCER_LOG_FORMAT]",
)
@click.option(
    "--log-level",
    type=click.Choice(LEVELS, case_sensitive=False),
    default=None,
    envvar="SYNCER_LOG_LEVEL",
    help="Lowest level logged (default: warning on a terminal, info in JSON). [env: SYNCER_LOG_LEVEL]",
)
def main(verbose: int, log_format: str, log_level: str | None) -> None:
    """Score, rank and bucket a backlog in Jira, Linear or a local JSON tracker; check WIP; write back."""
    configure(log_format, log_level, verbose=verbose)  # type: ignore[arg-type]


COMMAND_MODULES = ("run", "demo", "report", "score", "sandbox", "schedule", "doctor", "init", "config")
"""Modules under syncer.cli that add their commands to `main` when imported."""


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"syncer.cli.{name}")


_register()
