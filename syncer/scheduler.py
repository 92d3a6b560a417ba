"""`syncer schedule`: run the job on a cron schedule, in one long-lived process.

- Cron expressions are read in the configured time zone (croniter + zoneinfo), so "0 9 * * 1-5" is 09:00 local
  time on both sides of a DST change.
- Runs never overlap: the loop runs the job in the foreground, and the run lock keeps a cron-driven `syncer run`
  (or another scheduler) out as well; a run refused by the lock is logged and skipped.
- Missed runs are coalesced: after a long run (or a suspended machine) the next time is computed from *now*, so
  several missed slots turn into one run, not a burst.
- SIGTERM/SIGINT during a run stop it as they stop `syncer run` (`syncer.shutdown`: no new writes, the ones in
  flight finish within the grace, the run is recorded as interrupted, the lock released), then the loop ends.
  While waiting, a signal ends the wait at once.
- Optional jitter delays each run by up to `jitter_seconds`.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from zoneinfo import ZoneInfo

from croniter import croniter

from syncer import shutdown
from syncer.settings import ScheduleSettings

log = logging.getLogger(__name__)


def next_run(cron: str, zone: ZoneInfo, after: datetime) -> datetime:
    """The first cron time strictly after `after`, in UTC.

    When the clock falls back, a fixed-time job ("30 2 * * *") runs at the first 02:30 only, as cron does;
    a job with a wildcard minute or hour ("*/30 * * * *") keeps running through the repeated hour.
    """
    schedule = croniter(cron, after.astimezone(zone))
    while True:
        found: datetime = schedule.get_next(datetime)
        if not (_fixed_time(cron) and _repeated(found)):
            return found.astimezone(UTC)


def _fixed_time(cron: str) -> bool:
    """Neither the minute nor the hour field is a wildcard (cron's rule for the repeated hour)."""
    fields = cron.split()
    if fields[0].startswith("@"):
        return fields[0].lower() != "@hourly"
    return not fields[0].startswith("*") and not fields[1].startswith("*")


def _repeated(local: datetime) -> bool:
    """A wall-clock time's second occurrence, in the hour that repeats when the clock falls back."""
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


@dataclass
class Scheduler:
    settings: ScheduleSettings
    job: Callable[[], object]
    """One run; its exceptions are logged and the schedule goes on."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    jitter: Callable[[float], float] = field(default=lambda top: random.uniform(0, top))
    stop: threading.Event = field(default_factory=threading.Event)
    wait: Callable[[float], bool] | None = None
    """Sleep up to N seconds; True when asked to stop. Default: wait on `stop` (a signal ends it early)."""
    runs: int = 0
    on_wait: Callable[[datetime], None] | None = None
    """Called with each next run time (UTC) before waiting; the CLI prints it."""

    def planned(self, after: datetime) -> datetime:
        when = next_run(self.settings.cron, self.settings.zone, after)
        if self.settings.jitter_seconds:
            when += timedelta(seconds=self.jitter(self.settings.jitter_seconds))
        return when

    def loop(self, *, max_runs: int | None = None, run_first: bool = False) -> None:
        """Run until stopped (or `max_runs` runs have been made); `run_first` runs once at once, then on the cron."""
        if run_first and not self.stop.is_set() and (max_runs is None or max_runs > 0):
            self._run_once(self.clock())
        while not self.stop.is_set() and (max_runs is None or self.runs < max_runs):
            when = self.planned(self.clock())
            local = when.astimezone(self.settings.zone)
            log.info("schedule.next-run at=%s", local.isoformat(timespec="seconds"))
            if self.on_wait:
                self.on_wait(when)
            if not self._wait_until(when):
                break
            self._run_once(when)

    def _wait_until(self, when: datetime) -> bool:
        """Sleep until `when`; False when asked to stop first. Re-reads the clock, so it survives suspend."""
        while True:
            remaining = (when - self.clock()).total_seconds()
            if remaining <= 0:
                return True
            # Short naps rather than one long sleep: a suspended laptop or a stepped clock is noticed promptly.
            if (self.wait or self.stop.wait)(min(remaining, 60.0)):
                return False

    def _run_once(self, slot: datetime) -> None:
        started = self.clock()
        late = (started - slot).total_seconds()
        log.info("schedule.run slot=%s late_seconds=%.1f", slot.isoformat(timespec="seconds"), late)
        try:
            self.job()
        except Exception:  # one bad run must not end the schedule; the next slot tries again
            log.exception("schedule.run-failed")
        finally:
            self.runs += 1
        missed = self._missed(slot, self.clock())
        if missed:
            log.warning("schedule.coalesced missed_runs=%d", missed)

    def _missed(self, slot: datetime, now: datetime) -> int:
        count, cursor = 0, slot
        while count < 1000:
            cursor = next_run(self.settings.cron, self.settings.zone, cursor)
            if cursor > now:
                break
            count += 1
        return count

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT: stop the run in flight as `syncer run` does (or stop waiting at once)."""

        def handle(signum: int, _frame: FrameType | None) -> None:
            self.stop.set()
            shutdown.request(signum)

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
