"""`syncer demo`: the real job on the embedded default (a local backlog, plus tracker sandboxes)."""

from __future__ import annotations

import shutil

import click

from syncer import shutdown
from syncer.cli import main
from syncer.cli.run import REPORT_HELP, fail, finish, load_or_exit, run_or_exit
from syncer.demo.workspace import WORKDIR, config_dir, prepare, sandboxes
from syncer.exitcodes import ExitCode
from syncer.logs import user_message


@main.command("demo")
@click.option("--reset", is_flag=True, help="Delete the .demo/ working folder and start from the shipped backlog.")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON summary as `run --json`.")
@click.option("--report", "report", is_flag=True, help=REPORT_HELP)
def demo_command(reset: bool, dry_run: bool, as_json: bool, report: bool) -> None:
    """Run the main job on the demo backlog in .demo/ (created in the working folder on first use)."""
    with shutdown.handle_signals():  # as `syncer run`: the summary after the writes is not killed by a SIGTERM
        _demo(reset, dry_run, as_json, report)


def _demo(reset: bool, dry_run: bool, as_json: bool, report: bool = False) -> None:
    fresh = reset or not WORKDIR.exists()
    started = False
    try:
        backlog = prepare(WORKDIR, reset=reset)
        config = config_dir() / "demo.toml"
        settings = load_or_exit(str(config))
        if not as_json:
            user_message(f"demo: backlog {backlog}, config {config}", event="demo.start")
        with sandboxes(settings, WORKDIR) as live:
            started = True
            result = run_or_exit(live, dry_run=dry_run, config=str(config), as_json=as_json, report=report)
    except BaseException as exc:
        # A start that failed before the job ran leaves no half-made .demo/ behind (the next start would trust it).
        if fresh and not started:
            shutil.rmtree(WORKDIR, ignore_errors=True)
        if isinstance(exc, OSError):
            fail(OSError(f"the demo could not start: {exc}"), ExitCode.CONFIG)
        raise
    finish(result, live, as_json=as_json, show_plan=dry_run)
