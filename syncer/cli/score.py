"""`syncer score FILE`: score, rank and bucket an exported backlog offline; nothing is written anywhere."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console
from rich.table import Table

from syncer.backlog_file import BacklogFileError, BacklogRow, read_backlog
from syncer.cli import main
from syncer.exitcodes import ExitCode
from syncer.models import IssueRef, ScoreResult
from syncer.scoring import score_backlog
from syncer.settings import ConfigError, ScoringSettings, read_toml
from syncer.settings.errors import from_validation_error
from syncer.settings.scoring import ModelName

TRACKER = "file"
"""Tracker name for issues read from a file (all of them share it, so ties fall to the key)."""

COLUMNS = ("key", "score", "rank", "bucket", "status", "problems")
"""Fields of each JSON line and CSV row, in order."""


class _ScoringFile(BaseModel):
    # Validating through the file's own shape makes error locations read as file keys ("scoring.criteria[0]").
    model_config = ConfigDict(extra="ignore")

    scoring: ScoringSettings = ScoringSettings()


def scoring_settings(config: Path | None, model: ModelName | None) -> ScoringSettings:
    """The `[scoring]` section of `config` (defaults without one), with `--model` applied.

    Args:
        config: The TOML file from `--config`, or None for the built-in defaults.
        model: The `--model` override, if given.

    Returns:
        The validated scoring settings.

    Raises:
        ConfigError: The file is missing, not TOML, or its `[scoring]` section is invalid.
    """
    if config is None:
        try:
            return ScoringSettings(model=model or "rice")
        except ValidationError as exc:
            raise ConfigError(
                f"--model {model} needs a config file: pass --config with [[scoring.criteria]] entries"
            ) from exc
    data: dict[str, Any] = read_toml(config)
    section = data.get("scoring", {})
    if model is not None and isinstance(section, dict):  # a non-table [scoring] is left for validation to report
        data = {**data, "scoring": {**section, "model": model}}
    try:
        return _ScoringFile.model_validate(data).scoring
    except ValidationError as exc:
        raise from_validation_error(exc, str(config)) from exc


def _record(result: ScoreResult) -> dict[str, Any]:
    return {
        "key": result.ref.key,
        "score": result.score,
        "rank": result.rank,
        "bucket": result.bucket,
        "status": str(result.status),
        "problems": [{"input": p.input, "message": p.message} for p in result.problems],
    }


def _json_lines(results: Sequence[ScoreResult]) -> str:
    return "".join(json.dumps(_record(r), ensure_ascii=False) + "\n" for r in results)


def _csv(results: Sequence[ScoreResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for result in results:
        record = _record(result)
        record["problems"] = "; ".join(p["message"] for p in record["problems"])
        writer.writerow("" if record[c] is None else record[c] for c in COLUMNS)
    return out.getvalue()


def _table(results: Sequence[ScoreResult], rows: Sequence[BacklogRow], model: str) -> Table:
    summaries = {row.key: row.summary for row in rows}
    scored = sum(1 for r in results if r.scored)
    table = Table(title=f"{model.upper()} scores", caption=f"{scored} scored, {len(results) - scored} needing input")
    table.add_column("rank", justify="right")
    for column in ("key", "summary"):
        table.add_column(column)
    table.add_column("score", justify="right")
    for column in ("bucket", "problems"):
        table.add_column(column)
    for r in results:
        table.add_row(
            "" if r.rank is None else str(r.rank),
            r.ref.key,
            summaries.get(r.ref.key, ""),
            "" if r.score is None else f"{r.score:.2f}",
            r.bucket or "",
            "; ".join(p.message for p in r.problems),
            style=None if r.scored else "yellow",
        )
    return table


@main.command("score")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--model", type=click.Choice(["rice", "ice", "wsjf", "weighted"]), help="Overrides the config.")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file whose [scoring] section is used (default: built-in RICE settings).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="json: one JSON object per line; csv: one row per issue.",
)
def score_command(file: Path, model: ModelName | None, config: Path | None, fmt: str) -> None:
    """Score, rank and bucket an exported backlog (CSV or JSON) offline.

    FILE has a `key` column (or field), optionally `summary`, and the model's inputs by their logical names
    (reach, impact, confidence, effort for RICE). Scored issues are listed in rank order, then the issues
    that need input, in file order.
    """
    try:
        settings = scoring_settings(config, model)
        rows = read_backlog(file)
    except (ConfigError, BacklogFileError) as exc:
        click.echo(f"syncer: {exc}", err=True)
        raise SystemExit(ExitCode.CONFIG) from exc
    results = score_backlog([(IssueRef(TRACKER, row.key), row.inputs) for row in rows], settings)
    if fmt == "json":
        click.echo(_json_lines(results), nl=False)
    elif fmt == "csv":
        click.echo(_csv(results), nl=False)
    else:
        Console().print(_table(results, rows, settings.model))
