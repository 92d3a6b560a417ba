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
from rich.text import Text

from syncer import escape
from syncer.backlog_file import FLAVOUR_NAMES, Backlog, BacklogFileError, BacklogRow, read_backlog
from syncer.cli import main
from syncer.cli.run import fail
from syncer.exitcodes import ExitCode
from syncer.export_inputs import MappingError, Source, resolve
from syncer.models import IssueRef, ScoreResult
from syncer.scoring import model_inputs, score_backlog
from syncer.settings import ConfigError, ScoringSettings, read_toml
from syncer.settings.errors import from_validation_error
from syncer.settings.scoring import ModelName

TRACKER = "file"
"""Tracker name for issues read from a file (all of them share it, so ties fall to the key)."""

COLUMNS = ("key", "score", "rank", "bucket", "status", "problems")
"""Fields of each JSON line and CSV row, in order."""


TRACKER_KIND_OF: dict[str, str] = {"plain": "local", "jira": "jira", "linear": "linear"}
"""The `[[trackers]]` kind whose `[trackers.inputs]` fits each export flavour."""


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


def tracker_inputs(config: Path, tracker: str | None, flavour: str) -> tuple[dict[str, str], str]:
    """The `[trackers.inputs]` of the tracker named `tracker` in `config` (without one: the only tracker of the
    kind that exports this flavour, if there is exactly one), and where it came from for messages.

    Only the file is read: no credential or environment variable is needed to score an export.

    Raises:
        ConfigError: The tracker is not in the file, several could fit, or its inputs are not a table of texts.
    """
    data = read_toml(config)
    entries = data.get("trackers", [])
    if not isinstance(entries, list):
        raise ConfigError("expected [[trackers]] entries", path=str(config), key="trackers")
    named = [(i, e) for i, e in enumerate(entries) if isinstance(e, dict)]
    if tracker is not None:
        chosen = [(i, e) for i, e in named if e.get("name") == tracker]
        if not chosen:
            names = ", ".join(str(e.get("name")) for _, e in named) or "none"
            raise ConfigError(f"no tracker named {tracker!r} (trackers: {names})", path=str(config), key="--tracker")
    else:
        chosen = [(i, e) for i, e in named if e.get("kind") == TRACKER_KIND_OF[flavour]]
        if len(chosen) > 1:
            names = ", ".join(str(e.get("name")) for _, e in chosen)
            raise ConfigError(
                f"several {TRACKER_KIND_OF[flavour]} trackers could describe this file ({names}); pass --tracker NAME",
                path=str(config),
            )
        if not chosen:
            return {}, ""
    index, entry = chosen[0]
    inputs = entry.get("inputs", {})
    key = f"trackers[{index}].inputs"
    if not isinstance(inputs, dict) or not all(isinstance(v, str) for v in inputs.values()):
        raise ConfigError('expected a table of input = "field" texts', path=str(config), key=key)
    return {str(k): v for k, v in inputs.items()}, f"{config} {key}"


def parse_maps(pairs: Sequence[str]) -> dict[str, str]:
    """`--map input=COLUMN` flags as a dict; raises click.BadParameter for a pair without `=`."""
    maps: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise click.BadParameter(f"{pair!r}: expected INPUT=COLUMN, e.g. effort='Story Points'", param_hint="--map")
        maps[name.strip()] = column.strip()
    return maps


def _columns_report(backlog: Backlog, sources: dict[str, Source], problems: list[str], model: str) -> str:
    lines = [
        f"{backlog.path}: {FLAVOUR_NAMES[backlog.flavour]}, {len(backlog.rows)} issues",
        f"  key      {backlog.key_column}",
        f"  summary  {backlog.summary_column or '(none)'}",
        f"inputs of the {model} model:",
    ]
    width = max((len(n) for n in sources), default=0)
    for name, source in sources.items():
        lines.append(f"  {name.ljust(width)}  <- {source.describe()}  ({source.origin})")
    lines += [f"  {problem}" for problem in problems]
    used = {s.column for s in sources.values()} | {backlog.key_column, backlog.summary_column}
    if backlog.repeated:
        merged = ", ".join(f"{c} (x{n})" for c, n in backlog.repeated.items())
        lines.append(f"repeated columns, merged: {merged}")
    if backlog.dates:
        lines.append(f"dates: {', '.join(backlog.dates)}")
    groups = backlog.label_groups()
    if groups:
        lines.append(f"label groups (label:<Group>): {', '.join(groups)}")
    others = [c for c in backlog.columns if c not in used and c not in backlog.dates]
    if others:
        lines.append(f"other columns: {', '.join(others)}")
    return "\n".join(lines) + "\n"


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
        writer.writerow(escape.csv_cell(record[c]) for c in COLUMNS)  # keys and messages may be formulas
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
        # Text, not markup: keys, titles and quoted values come from the export (rich would apply "[red]").
        table.add_row(
            "" if r.rank is None else str(r.rank),
            Text(escape.one_line(r.ref.key, escape.NAME_MAX)),
            Text(escape.one_line(summaries.get(r.ref.key, ""), escape.TITLE_MAX)),
            "" if r.score is None else f"{r.score:.2f}",
            Text(escape.one_line(r.bucket or "")),
            Text(escape.clean("; ".join(p.message for p in r.problems))),
            style=None if r.scored else "yellow",
        )
    return table


@main.command("score")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--model", type=click.Choice(["rice", "ice", "wsjf", "weighted"]), help="Overrides the config.")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file: its [scoring] section, and the inputs mapping of the tracker the export came from.",
)
@click.option("--tracker", help="The [[trackers]] entry of --config whose [trackers.inputs] maps the columns.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="INPUT=COLUMN",
    help="Read INPUT from COLUMN (or label:<Group>, description:<Name>, ...); wins over the config. Repeatable.",
)
@click.option(
    "--columns", "list_columns", is_flag=True, help="List the columns recognised and how inputs map; score nothing."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="json: one JSON object per line; csv: one row per issue.",
)
def score_command(
    file: Path,
    model: ModelName | None,
    config: Path | None,
    tracker: str | None,
    maps: tuple[str, ...],
    list_columns: bool,
    fmt: str,
) -> None:
    """Score, rank and bucket an exported backlog (CSV or JSON) offline.

    FILE is Jira's CSV export (Issue key, Summary, Custom field (NAME) columns), Linear's CSV export (ID, Title,
    Estimate, Labels as Group/Value), or a plain CSV/JSON file with a `key` column. Each input of the model is read
    from the column given by --map, else by the tracker's [trackers.inputs] in --config, else from a column named
    like it (effort: also Story Points or Estimate). An input found nowhere exits 2 naming the candidates.
    Scored issues are listed in rank order, then the issues that need input, in file order.
    """
    try:
        settings = scoring_settings(config, model)
        flags = parse_maps(maps)
        backlog = read_backlog(file)
        configured, origin = tracker_inputs(config, tracker, backlog.flavour) if config is not None else ({}, "")
        if tracker is not None and config is None:
            raise ConfigError("--tracker needs --config (the file that has the tracker)", key="--tracker")
        inputs = model_inputs(settings)
        if list_columns:
            sources, problems = _sources_for_listing(backlog, inputs, flags, configured, origin)
            click.echo(_columns_report(backlog, sources, problems, settings.model), nl=False)
            return
        sources = resolve(backlog, inputs, flags=flags, configured=configured, config_origin=origin)
    except (ConfigError, BacklogFileError, MappingError) as exc:
        fail(exc, ExitCode.CONFIG)
    items = [(IssueRef(TRACKER, row.key), {n: s.read(row) for n, s in sources.items()}) for row in backlog.rows]
    results = score_backlog(items, settings)
    if fmt == "json":
        click.echo(_json_lines(results), nl=False)
    elif fmt == "csv":
        click.echo(_csv(results), nl=False)
    else:
        Console().print(_table(results, backlog.rows, settings.model))


def _sources_for_listing(
    backlog: Backlog, inputs: Sequence[str], flags: dict[str, str], configured: dict[str, str], origin: str
) -> tuple[dict[str, Source], list[str]]:
    """The inputs that map, and a message for each one that does not, for `--columns`."""
    sources: dict[str, Source] = {}
    problems: list[str] = []
    for name in inputs:
        try:
            only = {k: v for k, v in flags.items() if k == name}
            sources.update(resolve(backlog, [name], flags=only, configured=configured, config_origin=origin))
        except MappingError as exc:
            problems.append(f"{name}: NOT FOUND: {exc}")
    return sources, problems
