"""`syncer doctor`: check a configuration against the real trackers before the first run; writes nothing."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.markup import escape

from syncer.cli import main
from syncer.cli.run import CONFIG_HELP
from syncer.doctor import Check, Findings
from syncer.exitcodes import ExitCode
from syncer.settings import ConfigError, JiraTrackerSettings, LinearTrackerSettings, config_path, load_settings

MARKS = {"pass": "[green]PASS[/green]", "warn": "[yellow]WARN[/yellow]", "fail": "[red]FAIL[/red]"}


def run_checks(config: str | None, trackers: tuple[str, ...], *, send_test_alert: bool) -> list[Check]:
    """Every check, in order: the config, each selected tracker, the state store, the alert destinations."""
    path = str(config_path(config))
    found = Findings("config")
    try:
        settings = load_settings(config)
        for name in trackers:
            settings.tracker(name)
    except ConfigError as exc:
        found.fail("load", str(exc), "fix the key it names")
        return found.checks
    found.ok("load", f"{path}: {len(settings.trackers)} tracker(s), model {settings.scoring.model}")
    checks = list(found.checks)
    for index, tracker in enumerate(settings.trackers):
        if trackers and tracker.name not in trackers:
            continue
        if isinstance(tracker, JiraTrackerSettings):
            from syncer.doctor.jira import check_jira

            checks += check_jira(settings, index, tracker, path).checks
        elif isinstance(tracker, LinearTrackerSettings):
            from syncer.doctor.linear import check_linear

            checks += check_linear(settings, index, tracker, path).checks
        else:
            local = Findings(tracker.name)
            if tracker.path.is_file():
                local.ok("backlog", f"{tracker.path}")
            else:
                local.fail("backlog", f"{tracker.path} does not exist", f"fix trackers[{index}].path")
            checks += local.checks
    from syncer.doctor.common import check_alerts, check_state

    checks += check_state(settings).checks
    checks += check_alerts(settings, send=send_test_alert).checks
    return checks


def exit_code(checks: list[Check]) -> int:
    failed = [c for c in checks if c.status == "fail"]
    if not failed:
        return ExitCode.OK
    return ExitCode.TRACKER_UNAVAILABLE if all(c.unreachable for c in failed) else ExitCode.CONFIG


@main.command("doctor")
@click.option("--config", help=CONFIG_HELP)
@click.option("--tracker", "trackers", multiple=True, help="Check only this tracker (repeatable).")
@click.option("--send-test-alert", is_flag=True, help="Send a test message to every [[alerts]] destination.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON object.")
def doctor_command(config: str | None, trackers: tuple[str, ...], send_test_alert: bool, as_json: bool) -> None:
    """Check the configuration against the trackers, the state store and the alert destinations.

    Each check prints PASS, WARN or FAIL with what it saw and, when it is not a pass, the fix. Nothing is written
    to a tracker. Exit 0 when nothing fails; 3 when the only failures are trackers that cannot be reached or
    refuse the credentials; else 2.
    """
    checks = run_checks(config, trackers, send_test_alert=send_test_alert)
    code = exit_code(checks)
    if as_json:
        data = {"ok": code == ExitCode.OK, "checks": [c.to_json() for c in checks]}
        click.echo(json.dumps(data))
    else:
        console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
        for check in checks:
            console.print(f"{MARKS[check.status]} {escape(check.scope)}: {escape(check.name)} - {escape(check.detail)}")
            if check.fix:
                console.print(f"     fix: {escape(check.fix)}")
        failed = sum(1 for c in checks if c.status == "fail")
        warned = sum(1 for c in checks if c.status == "warn")
        console.print(f"{len(checks)} checks: {failed} failed, {warned} warnings")
    raise SystemExit(code)
