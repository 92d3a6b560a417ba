"""`syncer schedule`: the job on the `[schedule]` cron expression until SIGTERM/SIGINT."""

from __future__ import annotations

from datetime import datetime

import click

from syncer.cli import main
from syncer.cli.run import CONFIG_HELP, check_trackers, load_or_exit
from syncer.exitcodes import ExitCode
from syncer.job import LockHeld, run_job
from syncer.scheduler import Scheduler
from syncer.settings import ConfigError, config_path
from syncer.shutdown import Interrupted
from syncer.state import StateSchemaError, StateUnavailable


@main.command("schedule")
@click.option("--config", "config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--tracker", "trackers", multiple=True, help="Only this tracker (repeatable).")
@click.option("--max-runs", type=click.IntRange(min=1), default=None, help="Exit 0 after this many runs.")
def schedule_command(config: str | None, trackers: tuple[str, ...], max_runs: int | None) -> None:
    """Run the job on the [schedule] cron expression until SIGTERM/SIGINT.

    A signal while waiting exits 0; during a run it stops that run as in `syncer run` (exit 143/130).
    """
    settings = load_or_exit(config)
    check_trackers(settings, trackers)
    path = str(config_path(config))
    zone = settings.schedule.zone

    interrupted: list[int] = []

    def job() -> None:
        try:
            result = run_job(settings, only=trackers, config_path=path)
        except Interrupted as exc:
            click.echo(f"syncer: run interrupted by {exc.name}; recorded as interrupted, lock released", err=True)
            interrupted.append(exc.code)
            return
        except (LockHeld, StateUnavailable) as exc:  # the next slot tries again
            click.echo(f"syncer: skipped: {exc}", err=True)
            return
        except (StateSchemaError, ConfigError) as exc:
            click.echo(f"syncer: {exc}", err=True)
            raise SystemExit(ExitCode.CONFIG) from exc
        a = result.alerts
        click.echo(
            f"run {result.run_id} finished: {len(result.report.results)} issues ranked, "
            f"{a.sent} alert(s) sent, {a.pending} pending",
            err=True,
        )
        for run in result.report.trackers:
            if run.error:  # e.g. the mass needs-input guard held the writes: say why, every slot
                click.echo(f"syncer: {run.name}: {run.error}", err=True)

    def show(when: datetime) -> None:
        click.echo(f"next run at {when.astimezone(zone).isoformat(timespec='seconds')}", err=True)

    scheduler = Scheduler(settings.schedule, job, on_wait=show)
    scheduler.install_signal_handlers()
    click.echo(f"schedule: {settings.schedule.cron!r} in {settings.schedule.timezone}", err=True)
    scheduler.loop(max_runs=max_runs)
    click.echo("schedule: stopped", err=True)
    if interrupted:
        raise SystemExit(interrupted[0])
