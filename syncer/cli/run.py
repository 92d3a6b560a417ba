"""`syncer run` and `syncer plan`: one full cycle against the configured trackers."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn

import click
from rich.console import Console

from syncer import shutdown
from syncer.alerts.console import defer as defer_console_alerts
from syncer.alerts.console import take_deferred
from syncer.cli import main
from syncer.exitcodes import ExitCode
from syncer.job import JobResult, LockHeld, run_job
from syncer.logs import json_mode, user_message
from syncer.pipeline import RunReport
from syncer.runlog import log_finished
from syncer.settings import ConfigError, SyncSettings, config_path, load_settings
from syncer.state import StateSchemaError, StateUnavailable
from syncer.summary import exit_code, summary

CONFIG_HELP = "TOML configuration file (default: $SYNCER_CONFIG, else ./syncer.toml)."


def fail(exc: Exception, code: ExitCode) -> NoReturn:
    """Say what went wrong (a plain line, or a `cli.error` JSON record) and exit with `code`."""
    user_message(f"syncer: {exc}", event="cli.error", level=logging.ERROR, exit_code=int(code))
    raise SystemExit(code) from exc


def load_or_exit(path: str | None) -> SyncSettings:
    try:
        return load_settings(path)
    except ConfigError as exc:
        fail(exc, ExitCode.CONFIG)


def check_trackers(settings: SyncSettings, names: tuple[str, ...]) -> None:
    try:
        for name in names:
            settings.tracker(name)
    except ConfigError as exc:
        fail(exc, ExitCode.CONFIG)


def finish(
    result: JobResult,
    settings: SyncSettings,
    *,
    as_json: bool,
    show_plan: bool,
    extra: Mapping[str, Any] | None = None,
    code: int | None = None,
) -> None:
    """Print the outcome (plan, summary or JSON), record and push the metrics, exit with the documented code.

    `extra` replaces the job's own summary keys (an interrupted run has only a partial report).
    """
    from syncer.cli.render import print_alert_digest, print_plan, print_summary

    report = result.report
    data = summary(report)
    data.update(result.summary() if extra is None else extra)
    exit_with = int(exit_code(report) if code is None else code)
    if not report.dry_run and extra is None:
        publish_metrics(settings, result, data)
    # Off a terminal (cron logs, CI) rich would wrap at 80 columns; logs read better unwrapped.
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
    if show_plan:
        print_plan(
            report, Console(file=sys.stderr if as_json else sys.stdout, width=None if sys.stdout.isatty() else 140)
        )
    if as_json:
        click.echo(json.dumps(data, sort_keys=False))
        if json_mode():
            log_finished(data, exit_with, duration=_duration(report))
    elif json_mode():
        log_finished(data, exit_with, duration=_duration(report))
    else:
        print_summary(report, data, console)
        if not report.dry_run and extra is None:
            print_alert_digest(console, result, settings, take_deferred())
    raise SystemExit(exit_with)


def _duration(report: RunReport) -> float:
    return ((report.finished or datetime.now(UTC)) - report.started).total_seconds()


def publish_metrics(settings: SyncSettings, result: JobResult, data: Mapping[str, Any]) -> None:
    """Set the run's gauges; push them when `[metrics] pushgateway_url` is set (a failed push is only logged)."""
    from syncer import metrics

    figures = metrics.figures_from_summary(data, aging=result.aging, alerts=result.alerts_by_tracker)
    metrics.record_run(figures, finished=result.report.finished or datetime.now(UTC), duration=_duration(result.report))
    url = settings.metrics.pushgateway_url
    if url:
        names = [f.name for f in figures]
        metrics.push(url, job=settings.metrics.job, trackers=names, timeout=settings.metrics.push_timeout)


def report_interrupted(exc: shutdown.Interrupted, settings: SyncSettings, *, as_json: bool) -> NoReturn:
    """Exit 130/143 after a signal, saying what was done; with `--json` the partial summary, if there is one."""
    user_message(
        f"syncer: interrupted by {exc.name}: no new writes were started, the run is recorded as interrupted and "
        "its lock released; the next run finishes the work",
        event="run.interrupted",
        level=logging.WARNING,
        signal=exc.name,
    )
    if exc.report is not None and as_json:
        partial = JobResult(exc.report)
        finish(partial, settings, as_json=True, show_plan=False, extra={"interrupted": exc.name}, code=exc.code)
    raise SystemExit(exc.code)


def run_or_exit(
    settings: SyncSettings,
    *,
    trackers: tuple[str, ...] = (),
    dry_run: bool,
    config: str,
    as_json: bool = False,
    report: bool = False,
) -> JobResult:
    """The job (lock, run, history, alerts); a held lock exits 4, a state or config problem exits 2."""
    from syncer.cli.render import pull_progress

    if sys.stderr.isatty() and not json_mode():
        defer_console_alerts()  # the summary comes first, then a digest of the alerts
    try:
        with shutdown.handle_signals(), pull_progress() as progress:
            return run_job(
                settings, only=trackers, dry_run=dry_run, config_path=config, progress=progress, report=report
            )
    except shutdown.Interrupted as exc:
        report_interrupted(exc, settings, as_json=as_json)
    except LockHeld as exc:
        fail(exc, ExitCode.LOCKED)
    except StateUnavailable as exc:
        fail(exc, ExitCode.TRACKER_UNAVAILABLE)
    except (StateSchemaError, ConfigError) as exc:
        fail(exc, ExitCode.CONFIG)


ALLOW_MASS_HELP = (
    "Write even when one input is missing or invalid on most issues (a first run on an unscored backlog); "
    "without it such a run writes nothing and exits 2, as a wrong field mapping looks the same."
)


def allowing_mass_needs_input(settings: SyncSettings, allow: bool) -> SyncSettings:
    if not allow:
        return settings
    return settings.model_copy(update={"safety": settings.safety.model_copy(update={"allow_mass_needs_input": True})})


REPORT_HELP = "Also write the grooming report on a dry run (marked as one); a real run always writes it."


def execute(
    settings: SyncSettings,
    *,
    trackers: tuple[str, ...],
    dry_run: bool,
    config: str | None,
    as_json: bool = False,
    report: bool = False,
) -> JobResult:
    check_trackers(settings, trackers)
    return run_or_exit(
        settings, trackers=trackers, dry_run=dry_run, config=str(config_path(config)), as_json=as_json, report=report
    )


@main.command("run")
@click.option("--config", "config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--dry-run", is_flag=True, help="Compute and print the plan; write nothing.")
@click.option("--tracker", "trackers", multiple=True, help="Only this tracker (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary object on stdout.")
@click.option("--allow-mass-needs-input", "allow_mass", is_flag=True, help=ALLOW_MASS_HELP)
@click.option("--report", "report", is_flag=True, help=REPORT_HELP)
def run_command(
    config: str | None, dry_run: bool, trackers: tuple[str, ...], as_json: bool, allow_mass: bool, report: bool
) -> None:
    """Pull, score, check WIP and write back: one full cycle."""
    # The whole command, not only the job: a SIGTERM that lands after the writes, while the summary is printed,
    # must not kill the process with the default action (exit -15 instead of the run's own code).
    with shutdown.handle_signals():
        settings = allowing_mass_needs_input(load_or_exit(config), allow_mass)
        result = execute(settings, trackers=trackers, dry_run=dry_run, config=config, as_json=as_json, report=report)
        finish(result, settings, as_json=as_json, show_plan=dry_run)


@main.command("plan")
@click.option("--config", "config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--tracker", "trackers", multiple=True, help="Only this tracker (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary object on stdout.")
@click.option("--allow-mass-needs-input", "allow_mass", is_flag=True, help=ALLOW_MASS_HELP)
@click.option("--report", "report", is_flag=True, help=REPORT_HELP)
def plan_command(config: str | None, trackers: tuple[str, ...], as_json: bool, allow_mass: bool, report: bool) -> None:
    """Same as `run --dry-run`: print the planned changes as a table, write nothing (but the report with --report)."""
    settings = allowing_mass_needs_input(load_or_exit(config), allow_mass)
    result = execute(settings, trackers=trackers, dry_run=True, config=config, as_json=as_json, report=report)
    finish(result, settings, as_json=as_json, show_plan=True)
