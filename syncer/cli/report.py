"""`syncer report`: the grooming report from the last run's stored results, without calling the trackers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from syncer.cli import main
from syncer.cli.run import CONFIG_HELP, load_or_exit
from syncer.exitcodes import ExitCode
from syncer.settings.report import ALL_FORMATS


@main.command("report")
@click.option("--config", "config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(ALL_FORMATS),
    help="Only this format (repeatable; default: [report] formats).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default: [report] dir, else <workdir>/reports).",
)
def report_command(config: str | None, formats: tuple[str, ...], out: Path | None) -> None:
    """Build the grooming report from the last run's stored results; calls no tracker."""
    from syncer.report import NothingStored, rebuild

    settings = load_or_exit(config)
    try:
        paths = rebuild(settings, now=datetime.now(UTC), formats=formats or None, out=out)
    except NothingStored as exc:
        click.echo(f"syncer: {exc}", err=True)
        raise SystemExit(ExitCode.CONFIG) from exc
    except OSError as exc:
        click.echo(f"syncer: cannot write the report to {exc.filename or out}: {exc.strerror or exc}", err=True)
        raise SystemExit(ExitCode.CONFIG) from exc
    for path in paths:
        click.echo(str(path))
