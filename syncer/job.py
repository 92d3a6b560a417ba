"""One job, as `syncer run`, `syncer demo` and `syncer schedule` run it.

    open the state store (migrating it) -> take the run lock for the trackers -> record the run as started
    -> run_sync (comments explain what moved, from the score history) -> record score history and
    in-progress spans -> decide alert episodes (WIP breaches + aging) and deliver pending messages
    -> write the grooming report -> record the run's outcome -> release the lock

On SIGTERM/SIGINT (`syncer.shutdown`) no new write starts; once the writes in flight are done the run is recorded
as `interrupted` (no history, alerts or report from a partial run) and `Interrupted` is raised. If they are not
done within the grace, the deadline records the run and releases the lock itself.

A dry run (`plan`) takes no lock and records nothing: it reads the history only so the planned comments are
the ones a real run would write. It writes the report only when asked (`report=True`, the CLI's `--report`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import httpx

from syncer import shutdown
from syncer.alerts.aging import aging_subjects, span_changes, threshold
from syncer.alerts.delivery import AlertReport, deliver, queue
from syncer.alerts.destinations import Destination, build
from syncer.alerts.events import Subject, wip_subject
from syncer.history import comment_lines, kept_moves, moves, significant, snapshot
from syncer.logs import set_run_id
from syncer.models import IssueRef, TrackerIssue
from syncer.pipeline import ConnectorFactory, PullProgress, RunReport, TrackerRun, run_sync
from syncer.preflight import preflight
from syncer.settings import SyncSettings
from syncer.state import Snapshot, StateStore
from syncer.state.journal import StoreJournal
from syncer.state.lock import Holder, LockHeld, acquire
from syncer.summary import exit_code

if TYPE_CHECKING:
    from syncer.report.flowview import FlowReport

log = logging.getLogger(__name__)

HOLD_ENV = "SYNCER_TEST_HOLD_LOCK_SECONDS"
"""Test hook: seconds to wait inside the lock before syncing, so a test can start a second run meanwhile."""
HISTORY_SLICE = 2000
"""Issues whose history is read and explained at a time while planning (a query per 500 keys)."""

__all__ = ["JobResult", "LockHeld", "run_job"]


@dataclass
class JobResult:
    report: RunReport
    run_id: int | None = None
    alerts: AlertReport = field(default_factory=AlertReport)
    moved: list[dict[str, Any]] = field(default_factory=list)
    history_rows: int = 0
    aging: dict[str, int] = field(default_factory=dict)
    """Aging items per tracker (for the metrics)."""
    alerts_by_tracker: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per tracker: alert messages "sent" this run and "pending" after it (for the metrics)."""

    def summary(self) -> dict[str, Any]:
        """Keys added to the `--json` summary."""
        return {
            "run_id": self.run_id,
            "alerts_queued": self.alerts.queued,
            "alerts_sent": self.alerts.sent,
            "alerts_failed": self.alerts.failed,
            "alerts_pending": self.alerts.pending,
            "alerts_dead_lettered": self.alerts.dead_lettered,
            "alert_errors": list(self.alerts.errors),
            "moved": self.moved[:50],
        }


def lock_names(settings: SyncSettings, only: Sequence[str]) -> list[str]:
    """Trackers to lock: those selected, or all of them when one ranking spans every tracker."""
    if settings.scoring.scope == "all" or not only:
        return [t.name for t in settings.trackers]
    return list(only)


def run_job(
    settings: SyncSettings,
    *,
    only: Sequence[str] = (),
    dry_run: bool = False,
    config_path: str | None = None,
    factory: ConnectorFactory | None = None,
    now: datetime | None = None,
    progress: PullProgress | None = None,
    report: bool = False,
) -> JobResult:
    """`report`: write the grooming report even on a dry run (a real run always does, when enabled).

    Raises `LockHeld` (exit 4) when another run holds a tracker, `StateSchemaError`/`ConfigError` (exit 2)."""
    now = now or datetime.now(UTC)
    preflight(settings, config_path)
    store = StateStore.open(settings.state.resolved_url(settings.workdir).get_secret_value(), writable=not dry_run)
    try:
        sync = partial(
            _sync,
            settings,
            store,
            only=only,
            config_path=config_path,
            factory=factory,
            now=now,
            progress=progress,
            want_report=report,
        )
        if dry_run:
            return sync(dry_run=True)
        with httpx.Client(timeout=settings.http.timeout) as client:
            destinations = build(settings.alerts, client)  # before the lock: a missing secret fails fast
            holder = Holder.current()
            locked = lock_names(settings, only)
            with acquire(store, locked, lease_seconds=settings.state.lease_seconds, holder=holder) as lock:
                # Holding the lock proves any "running" row for these trackers belongs to a run that died.
                store.mark_crashed(locked, now)
                run_id = store.start_run(locked, dry_run=False, holder=holder.describe(), started=now)
                set_run_id(run_id)
                record = _Record(store, run_id)

                def abandon() -> None:  # the grace ran out: on the deadline's thread, while writes hang
                    record.finish("interrupted", {}, f"{_signal_name()}: writes still in flight were abandoned")
                    lock.release()

                try:
                    with shutdown.on_deadline(abandon):
                        _hold_for_tests()
                        result = sync(dry_run=False, run_id=run_id, before_write=lock.check)
                        lock.check()  # a run that lost its lock must not queue alerts the new holder also queues
                        _alerts(settings, store, result, destinations, now)
                except shutdown.Interrupted as exc:
                    so_far = JobResult(exc.report, run_id=run_id) if exc.report is not None else None
                    record.finish("interrupted", _counts(so_far) if so_far else {}, _interrupted(exc))
                    raise
                except BaseException as exc:
                    record.finish("failed", {}, _clip(repr(exc)))
                    raise
                outcome, error = _outcome(result.report)
                record.finish(outcome, _counts(result), error)
                return result
    finally:
        store.close()


class _Record:
    """The run's row is closed once: by the run itself, or by the shutdown deadline's thread if that comes first."""

    def __init__(self, store: StateStore, run_id: int) -> None:
        self.store, self.run_id = store, run_id
        self._lock = threading.Lock()
        self._done = False

    def finish(self, outcome: str, counts: dict[str, int], error: str | None) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
            self.store.finish_run(self.run_id, finished=datetime.now(UTC), outcome=outcome, counts=counts, error=error)


def _signal_name() -> str:
    try:
        shutdown.check()
    except shutdown.Interrupted as exc:
        return exc.name
    return "signal"


def _interrupted(exc: shutdown.Interrupted) -> str:
    report = exc.report
    not_started = 0
    if report is not None:
        not_started = sum(
            1 for t in report.trackers if t.applied for f in t.applied.failures if f.message == shutdown.NOT_STARTED
        )
    return f"{exc.name}: stopped starting writes ({not_started} not started); the next run writes what is left"


def _hold_for_tests() -> None:
    raw = os.environ.get(HOLD_ENV)
    if raw:
        time.sleep(float(raw))


def _sync(
    settings: SyncSettings,
    store: StateStore,
    *,
    only: Sequence[str],
    dry_run: bool,
    config_path: str | None,
    factory: ConnectorFactory | None,
    now: datetime,
    run_id: int | None = None,
    before_write: Callable[[], None] | None = None,
    progress: PullProgress | None = None,
    want_report: bool = False,
) -> JobResult:
    from syncer.report import publish  # the report package imports the pipeline; keep start-up light

    moved: dict[str, list[dict[str, Any]]] = {}
    explained: dict[IssueRef, str] = {}

    def explain(run: TrackerRun) -> dict[IssueRef, tuple[str, ...]]:
        # The history is read condensed, a slice of the issues at a time, and dropped here: what moved is decided
        # now, from the same rows. Read whole, it was about 1 KB an issue held at once (50 MB at 50,000).
        lines: dict[IssueRef, tuple[str, ...]] = {}
        found: list[dict[str, Any]] = []
        for chunk in _slices(run.issues, HISTORY_SLICE):
            history = store.history(run.name, [i.key for i in chunk], distinct=significant)
            lines.update(comment_lines(chunk, run.results, history, model=settings.scoring.model))
            found = kept_moves([*found, *moves(_tracker_snapshots(settings, run, chunk), history)])
        explained.update({ref: " ".join(text) for ref, text in lines.items()})
        moved[run.name] = found
        return lines

    writes_report = (not dry_run or want_report) and settings.report.enabled
    report = run_sync(
        settings,
        only=only,
        dry_run=dry_run,
        now=now,
        factory=factory,
        config_path=config_path,
        comment_extra=explain,
        before_write=before_write,
        progress=progress,
        journal=partial(StoreJournal, store, read_only=dry_run),
        # The completed issues feed only the report's flow metrics: not read when no report is written.
        completed_since=now - timedelta(days=settings.aging.history_days) if writes_report else None,
        duplicate_threshold=settings.report.duplicate_threshold if writes_report else None,
    )
    try:
        # Stopped mid-write: no history (the next run's comments must explain moves from what people saw).
        shutdown.check()
    except shutdown.Interrupted as exc:
        exc.report = report
        raise
    result = JobResult(report, run_id=run_id)
    for run in report.trackers:
        if run.error is None:
            result.moved.extend(moved.get(run.name, ()))
    if not dry_run:
        # Made one at a time as the store records them: one record per issue is a lot to hold at once.
        snaps = (s for run in report.trackers if run.error is None for s in _tracker_snapshots(settings, run))
        result.history_rows = store.record_history(run_id, snaps, now)
    if not dry_run or want_report:
        flow = _flow(settings, store, report, now)
        report.report_files = [str(p) for p in publish(report, settings, explained, flow, moved=result.moved)]
    return result


def _flow(settings: SyncSettings, store: StateStore, report: RunReport, now: datetime) -> FlowReport:
    """The report's flow metrics: each tracker's completed issues (starts filled in from the state store's
    in-progress spans), the team WIP limits each tracker applies."""
    from syncer.report.flowview import build_flow

    days = settings.aging.history_days
    since = now - timedelta(days=days)
    spans = {t.name: store.finished_spans(t.name, since=since) for t in report.trackers if t.error is None}
    configured = {t.name: dict((t.wip or settings.wip).per_team) for t in settings.trackers}
    return build_flow(report, spans, configured, now, days)


def _tracker_snapshots(
    settings: SyncSettings, run: TrackerRun, issues: Sequence[TrackerIssue] | None = None
) -> Iterator[Snapshot]:
    """The history record of each scored issue (of `issues`, else of the whole run), made as they are read."""
    for issue in run.issues if issues is None else issues:
        result = run.results.get(issue.ref)
        if result is not None:
            yield snapshot(issue, result, model=settings.scoring.model)


def _slices(items: Sequence[TrackerIssue], size: int) -> Iterator[Sequence[TrackerIssue]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _alerts(
    settings: SyncSettings, store: StateStore, result: JobResult, destinations: Sequence[Destination], now: datetime
) -> None:
    """Episodes from this run's breaches and aging items; then deliver everything pending (retries included)."""
    from syncer.state.outbox import Outbox

    subjects: dict[str, list[Subject]] = {}
    healthy = [r for r in result.report.trackers if r.error is None]
    for run in healthy:
        by_key = {i.key: i for i in run.issues}
        found = [wip_subject(b, by_key) for b in run.breaches]
        spans = store.open_spans(run.name)
        since = now - timedelta(days=settings.aging.history_days)
        limit = threshold(settings.aging, store.finished_days(run.name, since=since))
        aging = aging_subjects(run.issues, spans, limit, now)
        result.aging[run.name] = len(aging)
        found.extend(aging)
        changes = span_changes(run.issues, spans, now)
        store.update_spans(
            run.name, started=changes.started, finished=changes.finished, dropped=changes.dropped, at=now
        )
        subjects[run.name] = found
    outbox = Outbox(store.engine)
    queued = queue(outbox, destinations, subjects, now=now)
    names = [r.name for r in result.report.trackers]
    result.alerts = deliver(outbox, destinations, names)
    result.alerts.queued = queued
    sinks = [d.name for d in destinations]
    for name in names:
        result.alerts_by_tracker[name] = {
            "sent": result.alerts.sent_by_tracker.get(name, 0),
            "dead": result.alerts.dead_by_tracker.get(name, 0),
            "pending": outbox.count_pending(sinks, [name]) if sinks else 0,
        }


def _outcome(report: RunReport) -> tuple[str, str | None]:
    code = exit_code(report)
    problems = [f"{t.name}: {t.error}" for t in report.trackers if t.error]
    for t in report.trackers:
        if t.applied:
            problems.extend(f"{t.name} {f.ref.key}: {f.message}" for f in t.applied.failures[:5])
    names = {0: "ok", 1: "write_failures", 2: "config_error", 3: "tracker_unavailable"}
    return names.get(int(code), f"exit_{int(code)}"), _clip("\n".join(problems)) if problems else None


def _counts(result: JobResult) -> dict[str, int]:
    runs = result.report.trackers
    return {
        "issues": sum(len(t.issues) for t in runs),
        "scored": sum(1 for t in runs for r in t.results.values() if r.scored),
        "fields_written": sum(t.applied.fields_written for t in runs if t.applied),
        "comments_written": sum(t.applied.comments_written for t in runs if t.applied),
        "write_failures": sum(len(t.applied.failures) for t in runs if t.applied),
        "wip_breaches": sum(len(t.breaches) for t in runs),
        "history_rows": result.history_rows,
        "alerts_queued": result.alerts.queued,
        "alerts_sent": result.alerts.sent,
        "alerts_pending": result.alerts.pending,
        "alerts_dead_lettered": result.alerts.dead_lettered,
    }


def _clip(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
