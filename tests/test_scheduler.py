"""`syncer schedule`: cron in a time zone, coalescing, jitter, and a graceful stop of the real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from syncer.cli import main
from syncer.scheduler import Scheduler, next_run
from syncer.settings import ScheduleSettings
from syncer.state import StateStore
from tests.alerts.jobs import backlog, config_text
from tests.statedb import pg_url, state_url

__all__ = ["backlog", "pg_url", "state_url"]

BERLIN = ZoneInfo("Europe/Berlin")
SCHEDULE = '\n[schedule]\ncron = "* * * * * *"\n\n[metrics]\nport = 0\nhost = "127.0.0.1"\n'


def test_cron_is_read_in_the_configured_zone_across_dst() -> None:
    # 09:00 in Berlin is 07:00 UTC in summer time and 08:00 UTC after the switch on 2026-10-25.
    assert next_run("0 9 * * *", BERLIN, datetime(2026, 10, 23, 12, tzinfo=UTC)) == datetime(
        2026, 10, 24, 7, tzinfo=UTC
    )
    assert next_run("0 9 * * *", BERLIN, datetime(2026, 10, 24, 12, tzinfo=UTC)) == datetime(
        2026, 10, 25, 8, tzinfo=UTC
    )
    # Weekdays only: Saturday 10:00 Berlin -> Monday 09:00.
    assert next_run("0 9 * * 1-5", BERLIN, datetime(2026, 11, 28, 9, tzinfo=UTC)) == datetime(
        2026, 11, 30, 8, tzinfo=UTC
    )


def test_a_fixed_time_job_runs_once_when_the_clock_falls_back() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25 (CEST, then CET); a daily job runs once, like cron does.
    first = next_run("30 2 * * *", BERLIN, datetime(2026, 10, 24, 12, tzinfo=UTC))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_run("30 2 * * *", BERLIN, first) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)
    # A job with a wildcard hour keeps its real-time rhythm through the repeated hour.
    slots, cursor = [], datetime(2026, 10, 24, 23, 45, tzinfo=UTC)
    for _ in range(4):
        cursor = next_run("*/30 * * * *", BERLIN, cursor)
        slots.append(cursor.strftime("%H:%M"))
    assert slots == ["00:00", "00:30", "01:00", "01:30"]


class FakeTime:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def clock(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.now += timedelta(seconds=seconds)
        return False


def test_a_long_run_coalesces_missed_slots_into_one_and_runs_never_overlap() -> None:
    fake = FakeTime(datetime(2026, 11, 26, 9, 10, tzinfo=UTC))
    started: list[datetime] = []
    active = 0

    def job() -> None:
        nonlocal active
        active += 1
        assert active == 1, "runs overlapped"
        started.append(fake.now)
        fake.now += timedelta(minutes=95)  # overruns three half-hour slots
        active -= 1

    settings = ScheduleSettings(cron="*/30 * * * *")
    Scheduler(settings, job, clock=fake.clock, wait=fake.wait).loop(max_runs=3)

    assert [t.strftime("%H:%M") for t in started] == ["09:30", "11:30", "13:30"]


def test_jitter_delays_each_run_within_its_bound() -> None:
    fake = FakeTime(datetime(2026, 11, 26, 9, 10, tzinfo=UTC))
    started: list[datetime] = []
    settings = ScheduleSettings(cron="*/30 * * * *", jitter_seconds=120)
    scheduler = Scheduler(
        settings, lambda: started.append(fake.now), clock=fake.clock, wait=fake.wait, jitter=lambda top: top / 4
    )
    scheduler.loop(max_runs=2)
    assert [t.strftime("%H:%M:%S") for t in started] == ["09:30:30", "10:00:30"]


def test_a_failing_run_does_not_end_the_schedule() -> None:
    fake = FakeTime(datetime(2026, 11, 26, 9, 10, tzinfo=UTC))
    calls: list[datetime] = []

    def job() -> None:
        calls.append(fake.now)
        raise RuntimeError("tracker exploded")

    Scheduler(ScheduleSettings(cron="*/30 * * * *"), job, clock=fake.clock, wait=fake.wait).loop(max_runs=2)
    assert len(calls) == 2


def _wait_for_run(url: str, outcome: str, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        store = StateStore.open(url)
        try:
            runs = store.runs()
        finally:
            store.close()
        if runs and runs[0]["outcome"] == outcome:
            return runs[0]
        time.sleep(0.1)
    raise AssertionError(f"no run with outcome {outcome!r} within {timeout}s")


def test_sigterm_during_a_run_stops_it_as_syncer_run_does_and_exits_143(
    tmp_path: Path, backlog: Path, state_url: str
) -> None:
    # Before, the run went on to the end however long that took (Kubernetes SIGKILLs after 30 s) and exited 0.
    before = backlog.read_bytes()
    config = tmp_path / "syncer.toml"
    config.write_text(config_text(tmp_path, backlog, state_url, SCHEDULE))
    env = {**os.environ, "SYNCER_TEST_HOLD_LOCK_SECONDS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncer", "schedule", "--config", str(config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        in_flight = _wait_for_run(state_url, "running", timeout=20)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert "next run at" in err
    assert "schedule: stopped" in err
    store = StateStore.open(state_url)
    try:
        runs = store.runs()
    finally:
        store.close()
    assert [(r["id"], r["outcome"]) for r in runs] == [(in_flight["id"], "interrupted")], "no new run started"
    assert backlog.read_bytes() == before, "the signal came before the first write: none was started"


def test_an_unreachable_state_database_skips_the_run_and_the_schedule_goes_on(tmp_path: Path, backlog: Path) -> None:
    # A PostgreSQL restart during a slot must not end a long-lived `syncer schedule` (exit 2 is for bad config).
    url = "postgresql+psycopg://postgres:pw-not-shown@127.0.0.1:1/test?connect_timeout=2"
    config = tmp_path / "syncer.toml"
    config.write_text(config_text(tmp_path, backlog, url, SCHEDULE))
    result = CliRunner().invoke(main, ["schedule", "--config", str(config), "--max-runs", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.count("skipped: cannot use the state database") == 2
    assert "pw-not-shown" not in result.output
