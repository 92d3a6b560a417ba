"""One sync cycle: pull every tracker, score, check WIP, plan the write-back, apply it (unless dry run).

I/O happens only through the connectors; scoring, WIP evaluation and planning are pure functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING

from connectors import build_connector
from connectors.base import CommentJournal, TrackerConnector
from connectors.errors import AuthenticationFailed, ConnectorError, TrackerConfigError, TrackerUnavailable
from syncer import scoring, shutdown
from syncer.guard import explain, mass_needs_input
from syncer.logs import tracker_context
from syncer.models import (
    OUTPUT_FIELDS,
    ApplyResult,
    CommentUpsert,
    CompletedIssue,
    IssueRef,
    IssueWrite,
    ScoreResult,
    StatusCategory,
    TrackerIssue,
    WipBreach,
    WritebackPlan,
)
from syncer.settings import LinearTrackerSettings, SyncSettings, TrackerSettings
from syncer.settings.sources import source_of
from syncer.wip import evaluate_wip, limits_from_settings, merge_limits
from syncer.writeback import plan_writeback

if TYPE_CHECKING:
    from syncer.report.duplicates import DuplicatePair

log = logging.getLogger(__name__)

ConnectorFactory = Callable[[TrackerSettings, int], TrackerConnector]
JournalFactory = Callable[[str], CommentJournal]
"""The comment journal of one tracker, by name (the state store's; see `connectors.base.CommentJournal`)."""
PullProgress = Callable[[str, int, bool], None]
"""Called as issues arrive: (tracker, issues so far, done); the CLI shows it on a terminal."""
PROGRESS_EVERY = 50


@dataclass
class TrackerRun:
    """What happened to one tracker in a run."""

    name: str
    kind: str
    issues: list[TrackerIssue] = field(default_factory=list)
    results: dict[IssueRef, ScoreResult] = field(default_factory=dict)
    breaches: list[WipBreach] = field(default_factory=list)
    plan: WritebackPlan | None = None
    applied: ApplyResult | None = None
    error: str | None = None
    error_kind: str | None = None
    """"unavailable", "auth" or "config" when the tracker could not be synced at all."""
    skipped: list[str] = field(default_factory=list)
    """Records the connector could not read (malformed); each is reported and the run goes on."""
    completed: list[CompletedIssue] | None = None
    """Issues completed in the flow window (asked only when the report is written); never scored or written."""
    completed_error: str | None = None
    """Why the completed issues could not be read (the flow metrics then leave this tracker's out)."""
    duplicates: list[DuplicatePair] | None = None
    """The report's near-duplicate titles among the open issues, when the run was asked for them (see `run_sync`)."""


@dataclass
class RunReport:
    started: datetime
    dry_run: bool
    trackers: list[TrackerRun]
    finished: datetime | None = None
    report_files: list[str] = field(default_factory=list)
    """The grooming report files written after the run."""

    @property
    def results(self) -> list[ScoreResult]:
        return [r for t in self.trackers for r in t.results.values()]


CommentExtra = Callable[[TrackerRun], Mapping[IssueRef, tuple[str, ...]]]
"""Extra comment lines per issue for one tracker's run (see `run_sync`)."""


def enabled_outputs(tracker: TrackerSettings) -> tuple[str, ...]:
    """The owned values this tracker stores. Linear keeps all three on its attachment (no custom fields)."""
    if isinstance(tracker, LinearTrackerSettings):
        names = set(OUTPUT_FIELDS) if tracker.outputs.attachment else set()
        if tracker.outputs.bucket_label_group:
            names.add("bucket")
        return tuple(n for n in OUTPUT_FIELDS if n in names)
    return tuple(n for n in OUTPUT_FIELDS if getattr(tracker.outputs, n))


def _guard(run: TrackerRun, step: Callable[[], None]) -> None:
    """Run one tracker step; a tracker-wide failure marks this tracker and lets the others go on."""
    with tracker_context(run.name):
        try:
            step()
        except AuthenticationFailed as exc:
            run.error, run.error_kind = str(exc), "auth"
        except TrackerUnavailable as exc:
            run.error, run.error_kind = str(exc), "unavailable"
        except TrackerConfigError as exc:
            run.error, run.error_kind = str(exc), "config"
        if run.error:
            log.error("tracker.failed %s", run.error, extra={"kind": run.error_kind})


def _pull(run: TrackerRun, connector: TrackerConnector, progress: PullProgress | None = None) -> None:
    issues: list[TrackerIssue] = []
    started = time.monotonic()
    for issue in connector.fetch_issues():
        shutdown.check()  # a stop while pulling: nothing was written yet, so nothing is lost by leaving now
        issues.append(issue)
        if progress is not None and len(issues) % PROGRESS_EVERY == 0:
            progress(run.name, len(issues), False)
    run.issues = issues
    if progress is not None:
        progress(run.name, len(issues), True)
    # Only connectors that can meet malformed records (the local file) expose `skipped`.
    run.skipped = list(getattr(connector, "skipped", ()))
    log.info(
        "pull.finished",
        extra={"issues": len(run.issues), "skipped": len(run.skipped), "seconds": round(time.monotonic() - started, 3)},
    )


def _pull_completed(run: TrackerRun, connector: TrackerConnector, since: datetime) -> None:
    """The completed issues for the flow metrics. They only inform the report, so a failure here is reported
    with the flow figures and does not stop the sync (the main pull already proved the tracker usable)."""
    completed: list[CompletedIssue] = []
    try:
        for issue in connector.fetch_completed(since):
            shutdown.check()
            completed.append(issue)
    except ConnectorError as exc:
        run.completed_error = str(exc)
        log.warning("pull.completed-failed %s", exc)
        return
    run.completed = completed
    log.info("pull.completed", extra={"issues": len(completed)})


def _find_duplicates(run: TrackerRun, threshold: float) -> None:
    """Right after the pull, when the least is held: the search's arrays (about 75 MB at 50,000 templated titles,
    given back when it ends) came on top of every result and planned write when the report ran it."""
    from syncer.report.duplicates import find_duplicates  # numpy and rapidfuzz: only for a run with a report

    started = time.monotonic()
    run.duplicates = find_duplicates([i for i in run.issues if i.status_category is not StatusCategory.DONE], threshold)
    log.info("report.duplicates", extra={"pairs": len(run.duplicates), "seconds": round(time.monotonic() - started, 3)})


def _score(settings: SyncSettings, runs: Sequence[TrackerRun]) -> None:
    """Rank per tracker, or once across all trackers when `[scoring] scope = "all"`.

    Done issues are not scored: a rank is a position in the open backlog.
    """
    groups = [list(runs)] if settings.scoring.scope == "all" else [[r] for r in runs]
    for group in groups:
        # One scorer for the whole group, results built once and already ranked (the batch path).
        batch = [
            (issue.ref, issue.inputs)
            for run in group
            for issue in run.issues
            if issue.status_category is not StatusCategory.DONE
        ]
        ranked = {r.ref: r for r in scoring.score_backlog(batch, settings.scoring)}
        for run in group:
            run.results = {i.ref: ranked[i.ref] for i in run.issues if i.ref in ranked}


def _hold_mass_needs_input(settings: SyncSettings, runs: Sequence[TrackerRun], config_path: str | None) -> bool:
    """Mark each tracker where one input is missing on most issues (a config error); True holds every write.

    The whole run holds, not only that tracker: with one ranking across trackers the others' ranks depend on
    it, and a run that says "check your mapping" should not have changed anything meanwhile.
    """
    if settings.safety.allow_mass_needs_input:
        return False
    held = False
    for run in runs:
        found = mass_needs_input(run.results, settings.safety)
        if found is None:
            continue
        index, tracker = next((i, t) for i, t in enumerate(settings.trackers) if t.name == run.name)
        run.error = explain(
            found,
            tracker=run.name,
            mapping=tracker.inputs.get(found.input),
            key=f"trackers[{index}].inputs.{found.input}",
            source=source_of(("trackers", index, "inputs", found.input), config_path),
        )
        run.error_kind = "config"
        held = True
        log.warning("pipeline.mass-needs-input tracker=%s input=%s count=%d", run.name, found.input, found.count)
    return held


def run_sync(
    settings: SyncSettings,
    *,
    only: Sequence[str] = (),
    dry_run: bool = False,
    now: datetime | None = None,
    factory: ConnectorFactory | None = None,
    config_path: str | None = None,
    comment_extra: CommentExtra | None = None,
    before_write: Callable[[], None] | None = None,
    progress: PullProgress | None = None,
    journal: JournalFactory | None = None,
    completed_since: datetime | None = None,
    duplicate_threshold: float | None = None,
) -> RunReport:
    """Run one full cycle over the configured trackers (or only those named).

    `comment_extra`, when given, is asked per tracker (after scoring, before planning) for extra comment lines
    per issue: the state store's "what moved" explanation (`syncer.job`). `before_write` is called right before
    each tracker's write-back and may raise to stop the run (the run lock's check). `journal`, when given, hands
    each connector that keeps one its tracker's comment journal (`connectors.base.CommentJournal`).
    `completed_since`, when given, also reads the issues completed since then (`TrackerRun.completed`), for the
    report's flow metrics; they never reach scoring or the write-back plan. `duplicate_threshold`, when given,
    also finds the report's near-duplicate titles (`TrackerRun.duplicates`).
    """
    now = now or datetime.now(UTC)
    selected = [(i, t) for i, t in enumerate(settings.trackers) if not only or t.name in only]
    make = factory or (lambda t, i: build_connector(t, index=i, http=settings.http, config_path=config_path))
    report = RunReport(started=now, dry_run=dry_run, trackers=[])
    connectors: dict[str, TrackerConnector] = {}
    try:
        for index, tracker in selected:
            run = TrackerRun(tracker.name, tracker.kind)
            report.trackers.append(run)

            def connect(run: TrackerRun = run, tracker: TrackerSettings = tracker, index: int = index) -> None:
                connectors[run.name] = make(tracker, index)
                use_journal = getattr(connectors[run.name], "use_journal", None)
                if journal is not None and use_journal is not None:
                    use_journal(journal(run.name))
                _pull(run, connectors[run.name], progress)
                if completed_since is not None:
                    _pull_completed(run, connectors[run.name], completed_since)
                if duplicate_threshold is not None:
                    _find_duplicates(run, duplicate_threshold)

            _guard(run, connect)
        healthy = [r for r in report.trackers if r.error is None]
        _score(settings, healthy)
        held = _hold_mass_needs_input(settings, healthy, config_path)
        for run in healthy:
            if run.error is not None:
                continue
            step = partial(
                _check_and_write,
                settings,
                run,
                connectors[run.name],
                now,
                dry_run or held,
                comment_extra,
                before_write,
            )
            _guard(run, step)
    except shutdown.Interrupted as exc:
        exc.report = report  # what was written before the stop, for the run's record and summary
        raise
    finally:
        for connector in connectors.values():
            connector.close()
    report.finished = datetime.now(UTC)
    return report


_SPENT_COMMENT = CommentUpsert(None, "", "")
_NOTHING: Mapping[str, float | int | str | None] = MappingProxyType({})


def _spent(plan: WritebackPlan) -> WritebackPlan:
    """The plan once applied, as the rest of the run reads it: which issues got which values and whether a
    comment was written (the summary counts writes, the report's snapshot needs which issues were written).
    What only writing or a dry run's table reads (the comment's text and ids, the previous values, the result)
    is dropped: at 50,000 issues it was about 30 MB held through the grooming report."""
    return replace(
        plan,
        writes=tuple(
            IssueWrite(w.ref, w.issue_id, w.fields, _NOTHING, None if w.comment is None else _SPENT_COMMENT)
            for w in plan.writes
        ),
    )


def _check_and_write(
    settings: SyncSettings,
    run: TrackerRun,
    connector: TrackerConnector,
    now: datetime,
    dry_run: bool,
    comment_extra: CommentExtra | None = None,
    before_write: Callable[[], None] | None = None,
) -> None:
    tracker = settings.tracker(run.name)
    limits = merge_limits(limits_from_settings(tracker.wip or settings.wip), connector.wip_limits())
    run.breaches = evaluate_wip(run.name, run.issues, limits, now)
    run.plan = plan_writeback(
        run.name,
        run.issues,
        run.results,
        outputs=enabled_outputs(tracker),
        comment=tracker.outputs.comment,
        comment_extra=comment_extra(run) if comment_extra else None,
        rank_top=tracker.outputs.rank_top if tracker.outputs.rank_updates == "top" else None,
    )
    if not dry_run and run.plan.writes:
        if before_write is not None:
            before_write()  # raises (never caught here) when this run may no longer write, e.g. its lock is gone
        shutdown.check()
        started = time.monotonic()
        run.applied = connector.apply(run.plan)
        run.plan = _spent(run.plan)
        log.info(
            "writeback.applied",
            extra={
                "planned": len(run.plan.writes),
                "fields": run.applied.fields_written,
                "comments": run.applied.comments_written,
                "failures": len(run.applied.failures),
                "seconds": round(time.monotonic() - started, 3),
            },
        )
    else:
        log.info(
            "writeback.planned",
            extra={"planned": len(run.plan.writes), "fields": run.plan.field_count, "comments": run.plan.comment_count},
        )
