"""The backlog-grooming report: what a product manager reads before refinement (Markdown, HTML, CSV, JSON)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from syncer.models import IssueRef
from syncer.pipeline import RunReport, TrackerRun
from syncer.report import snapshot
from syncer.report.content import GroomingReport, build_report
from syncer.report.flowview import FlowReport, build_flow
from syncer.report.writer import write_reports
from syncer.settings import SyncSettings

__all__ = ["GroomingReport", "NothingStored", "build_report", "folder", "publish", "rebuild", "write_reports"]


def folder(settings: SyncSettings) -> Path:
    return settings.report.dir or settings.workdir / "reports"


def publish(
    run: RunReport,
    settings: SyncSettings,
    changes: Mapping[IssueRef, str] | None = None,
    flow: FlowReport | None = None,
    *,
    write: bool = True,
    moved: Sequence[Mapping[str, Any]] = (),
) -> list[Path]:
    """After a run: remember each tracker it synced (a real run only), then write the configured formats when
    `write` (and the report is enabled). Returns the files written.

    A tracker this run could not sync keeps its last good section, marked with when that was.
    """
    where = folder(settings)
    changes = changes or {}
    with snapshot.locked(where):
        previous = snapshot.load(where)
        activity: dict[IssueRef, datetime] = {}
        synced: dict[str, datetime] = {}
        shown: list[TrackerRun] = []
        fresh: dict[str, snapshot.TrackerSnapshot] = {}
        movers = [m for m in moved if m.get("tracker") not in {t.name for t in run.trackers if t.error}]
        for tracker in run.trackers:
            before = previous.get(tracker.name)
            if tracker.error is None:
                touched = snapshot.activity(tracker, before)
                # Keyed by the results' refs (only ranked rows read it): no new ref per issue held through the report.
                activity.update({ref: touched[ref.key] for ref in tracker.results if ref.key in touched})
                shown.append(tracker)
                if not run.dry_run:
                    mine = {ref.key: text for ref, text in changes.items() if ref.tracker == tracker.name}
                    fresh[tracker.name] = snapshot.take(
                        tracker, before, synced=run.finished or run.started, changes=mine, moved=moved, human=touched
                    )
                    # Replaced by this run's: its per-issue maps (activity, writes, changes: about 0.5 KB an
                    # issue) need not be held through the report.
                    previous.pop(tracker.name, None)
                del before, touched
            elif before is not None:
                last = before.run(where)
                last.error, last.error_kind = tracker.error, tracker.error_kind
                shown.append(last)
                synced[tracker.name] = before.synced
                activity.update({IssueRef(tracker.name, k): v for k, v in before.human.items()})
                changes = {**changes, **{IssueRef(tracker.name, k): v for k, v in before.changes.items()}}
                movers.extend(before.moved)
            else:
                shown.append(tracker)
        if fresh:
            snapshot.save(where, {**previous, **fresh})
        # Saved: what the report needs of them is in `activity`, `changes` and `movers` now.
        previous.clear()
        fresh.clear()
    if not write or not settings.report.enabled:
        return []
    report = build_report(
        replace(run, trackers=shown),
        settings.report,
        run.finished or run.started,
        changes,
        flow,
        activity=activity,
        synced=synced,
        moved=movers,
    )
    return write_reports(report, where, settings.report.formats)


class NothingStored(Exception):
    """No run has stored a report's data in this folder yet."""


def rebuild(
    settings: SyncSettings, *, now: datetime, formats: Sequence[str] | None = None, out: Path | None = None
) -> list[Path]:
    """The report from the last real run's stored results, without calling the trackers (`syncer report`).

    Each configured tracker shows what its last successful run stored, marked with when; one never synced
    says so. Raises `NothingStored` when no run stored anything for the configured trackers here.
    """
    where = folder(settings)
    stored = snapshot.load(where)
    names = [t.name for t in settings.trackers]
    if not any(n in stored for n in names):
        raise NothingStored(f"no stored run in {snapshot.path(where)}: run `syncer run` first")
    shown: list[TrackerRun] = []
    activity: dict[IssueRef, datetime] = {}
    changes: dict[IssueRef, str] = {}
    moved: list[dict[str, Any]] = []
    for tracker in settings.trackers:
        last = stored.get(tracker.name)
        if last is None:
            shown.append(TrackerRun(tracker.name, tracker.kind, error="not synced yet", error_kind="unavailable"))
            continue
        shown.append(last.run(where))
        activity.update({IssueRef(tracker.name, k): v for k, v in last.human.items()})
        changes.update({IssueRef(tracker.name, k): v for k, v in last.changes.items()})
        moved.extend(last.moved)
    synced = {n: stored[n].synced for n in names if n in stored}
    run = RunReport(started=now, dry_run=False, trackers=shown, finished=now)
    flow = _stored_flow(settings, run, max(synced.values()))
    report = build_report(run, settings.report, now, changes, flow, activity=activity, synced=synced, moved=moved)
    return write_reports(report, out or where, list(formats or settings.report.formats))


def _stored_flow(settings: SyncSettings, run: RunReport, as_of: datetime) -> FlowReport | None:
    """Flow metrics from the completed issues the last runs stored, as of the latest of those runs (a window
    ending today would count the days since as days when nothing was finished). The state store is not read, so
    a Jira issue is timed by lead time even where a run's report could use the start syncer saw."""
    if all(t.completed is None for t in run.trackers):
        return None  # stored by a syncer that did not read completed issues
    configured = {t.name: dict((t.wip or settings.wip).per_team) for t in settings.trackers}
    return build_flow(run, {}, configured, as_of, settings.aging.history_days)
