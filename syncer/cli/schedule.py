"""`syncer schedule`: the job on the `[schedule]` cron until SIGTERM/SIGINT, serving `/metrics` and `/healthz`."""

from __future__ import annotations

import logging
import time
from datetime import datetime

import click

from syncer import metrics
from syncer.cli import main
from syncer.cli.run import CONFIG_HELP, check_trackers, fail, load_or_exit
from syncer.exitcodes import ExitCode
from syncer.health import Health, serve
from syncer.job import LockHeld, run_job
from syncer.logs import json_mode, set_run_id, user_message
from syncer.preflight import check_configurable
from syncer.runlog import log_finished
from syncer.scheduler import Scheduler
from syncer.settings import ConfigError, config_path
from syncer.shutdown import Interrupted
from syncer.state import StateSchemaError, StateUnavailable
from syncer.summary import exit_code, summary

EXAMPLE = '[schedule]\ncron = "*/30 * * * *"   # five cron fields\ntimezone = "UTC"'


@main.command("schedule")
@click.option("--config", "config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--tracker", "trackers", multiple=True, help="Only this tracker (repeatable).")
@click.option("--max-runs", type=click.IntRange(min=1), default=None, help="Exit 0 after this many runs.")
@click.option("--now", "run_now", is_flag=True, help="Run once at start, then on the cron expression.")
def schedule_command(config: str | None, trackers: tuple[str, ...], max_runs: int | None, run_now: bool) -> None:
    """Run the job on the [schedule] cron expression until SIGTERM/SIGINT, serving /metrics and /healthz.

    A signal while waiting exits 0; during a run it stops that run as in `syncer run` (exit 143/130).
    """
    settings = load_or_exit(config)
    check_trackers(settings, trackers)
    path = str(config_path(config))
    schedule = settings.schedule
    if schedule is None:
        fail(
            ConfigError(f"no [schedule] section; `syncer schedule` needs one, e.g.\n{EXAMPLE}", path=path),
            ExitCode.CONFIG,
        )
    try:
        check_configurable(settings, trackers, config_path=path)
    except ConfigError as exc:
        fail(exc, ExitCode.CONFIG)
    zone = schedule.zone
    health = Health(schedule)
    interrupted: list[int] = []

    def job() -> None:
        started = time.monotonic()
        try:
            result = run_job(settings, only=trackers, config_path=path)
        except Interrupted as exc:
            user_message(
                f"syncer: run interrupted by {exc.name}; recorded as interrupted, lock released",
                event="schedule.interrupted",
                level=logging.WARNING,
            )
            interrupted.append(exc.code)
            return
        except (LockHeld, StateUnavailable) as exc:  # the next slot tries again
            user_message(f"syncer: skipped: {exc}", event="schedule.skipped", level=logging.WARNING)
            return
        except (StateSchemaError, ConfigError) as exc:
            fail(exc, ExitCode.CONFIG)
        finally:
            health.finished()
        data = summary(result.report)
        data.update(result.summary())
        duration = time.monotonic() - started
        figures = metrics.figures_from_summary(data, aging=result.aging, alerts=result.alerts_by_tracker)
        metrics.record_run(figures, finished=result.report.finished or health.clock(), duration=duration)
        log_finished(data, int(exit_code(result.report)), duration=duration)
        set_run_id(None)  # lines between runs belong to no run

    def show(when: datetime) -> None:
        if not json_mode():  # in JSON the scheduler's own schedule.next-run record says it
            local = when.astimezone(zone).isoformat(timespec="seconds")
            user_message(f"next run at {local}", event="schedule.next-run", at=local)

    scheduler = Scheduler(schedule, job, on_wait=show)
    scheduler.install_signal_handlers()
    server = None
    if settings.metrics.serve:
        try:
            server = serve(settings.metrics.host, settings.metrics.port, health)
        except OSError as exc:
            fail(
                ConfigError(
                    f"cannot listen on {settings.metrics.host}:{settings.metrics.port}: {exc.strerror}",
                    path=path,
                    key="metrics.port",
                ),
                ExitCode.CONFIG,
            )
        host, port = str(server.server_address[0]), int(server.server_address[1])
        user_message(
            f"metrics on http://{host}:{port}/metrics, health on /healthz", event="schedule.serving", port=port
        )
    user_message(f"schedule: {schedule.cron!r} in {schedule.timezone}", event="schedule.start", cron=schedule.cron)
    try:
        scheduler.loop(max_runs=max_runs, run_first=run_now)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    user_message("schedule: stopped", event="schedule.stopped")
    if interrupted:
        raise SystemExit(interrupted[0])
