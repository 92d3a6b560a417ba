"""Assembling the grooming report from a run (pure): top of the ranking, what needs input, WIP breaches,
stale items and likely duplicates, per tracker."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from syncer.history import MOVERS_EACH_WAY, mover_picks
from syncer.models import Breakdown, IssueRef, ScoreResult, StatusCategory, TrackerIssue, WipBreach, natural_key
from syncer.pipeline import RunReport, TrackerRun
from syncer.report.duplicates import DuplicatePair, find_duplicates
from syncer.report.flowview import FlowReport
from syncer.report.scatter import value_and_effort
from syncer.scoring import BUCKETS
from syncer.settings import ReportSettings


@dataclass(frozen=True, slots=True)
class IssueRow:
    tracker: str
    key: str
    title: str
    url: str
    status: str
    assignee: str | None
    score: float | None
    rank: int | None
    bucket: str | None
    breakdown: Breakdown | None
    """Where `formula` comes from: the text is built when a writer reads it (about 200 bytes an issue, held
    through every format's rendering otherwise)."""
    problems: tuple[str, ...]
    change: str = ""
    """What moved since an earlier run (from the state history), when known."""
    days_since_update: float = 0.0
    value: float | None = None
    """The score's numerator (value against effort), None for a model without an effort or unscored."""
    effort: float | None = None
    missing: tuple[str, ...] = ()
    """The inputs that are missing or invalid, by name (what the meeting must get from someone)."""
    in_progress_days: float | None = None
    """Days in an in-progress status, when it is in progress and the tracker says since when."""

    @property
    def formula(self) -> str:
        return self.breakdown.formula if self.breakdown is not None else ""


@dataclass(frozen=True)
class TrackerSection:
    name: str
    kind: str
    error: str | None
    issues: int
    scored: int
    top: tuple[IssueRow, ...]
    needs_input: tuple[IssueRow, ...]
    breaches: tuple[WipBreach, ...]
    stale: tuple[IssueRow, ...]
    duplicates: tuple[DuplicatePair, ...]
    buckets: tuple[tuple[str, int], ...]
    score_histogram: tuple[tuple[str, int], ...]
    synced: datetime | None = None
    """When this tracker was last synced, if that was not this run (its content is from then)."""


@dataclass(frozen=True)
class Mover:
    """An issue whose rank or bucket changed since the run before, over the whole ranking (not only the top)."""

    tracker: str
    key: str
    title: str
    url: str
    rank_from: int | None
    rank_to: int | None
    bucket_from: str | None
    bucket_to: str | None
    score_from: float | None
    score_to: float | None
    cause: str
    """The issue's own inputs that changed ("effort 0.5 -> 8"); "" when it moved because other issues did."""

    @property
    def delta(self) -> int:
        """Places gained (positive) or lost (negative); entering or leaving the ranking counts from its end."""
        return (self.rank_from or 0) - (self.rank_to or 0) if self.rank_from and self.rank_to else 0


@dataclass(frozen=True)
class GroomingReport:
    generated: datetime
    dry_run: bool
    sections: tuple[TrackerSection, ...]
    rows: tuple[IssueRow, ...] = field(repr=False)
    """Every issue, ranked ones first: the CSV/JSON export."""
    flow: FlowReport | None = field(default=None, repr=False)
    """Flow metrics and the Now-list forecast, when the state store was at hand."""
    movers: tuple[Mover, ...] = ()
    """Bucket changes, then the biggest rises, then the biggest falls since the run before (see `select_movers`)."""

    @property
    def totals(self) -> dict[str, int]:
        return {
            "issues": sum(s.issues for s in self.sections),
            "scored": sum(s.scored for s in self.sections),
            "needs_input": sum(len(s.needs_input) for s in self.sections),
            "wip_breaches": sum(len(s.breaches) for s in self.sections),
            "stale": sum(len(s.stale) for s in self.sections),
            "duplicates": sum(len(s.duplicates) for s in self.sections),
            "movers": len(self.movers),
        }


def _row(
    issue: TrackerIssue, result: ScoreResult, now: datetime, change: str, touched: datetime | None = None
) -> IssueRow:
    """`touched`: the last activity by people, when known (syncer's own writes also bump `updated`)."""
    ve = value_and_effort(result.breakdown) if result.breakdown is not None and result.score is not None else None
    started = issue.status_entered if issue.status_category is StatusCategory.IN_PROGRESS else None
    return IssueRow(
        tracker=issue.tracker,
        key=issue.key,
        title=issue.title,
        url=issue.url,
        status=issue.status,
        assignee=issue.assignee,
        score=result.score,
        rank=result.rank,
        bucket=result.bucket,
        breakdown=result.breakdown,
        problems=tuple(f"{p.input}: {p.message}" for p in result.problems),
        change=change,
        days_since_update=max(0.0, (now - (touched or issue.updated)).total_seconds() / 86400),
        value=ve[0] if ve else None,
        effort=ve[1] if ve else None,
        missing=tuple(dict.fromkeys(p.input for p in result.problems)),
        in_progress_days=None if started is None else max(0.0, (now - started).total_seconds() / 86400),
    )


def _label(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.2g}"


def histogram(scores: Sequence[float], bins: int = 8) -> tuple[tuple[str, int], ...]:
    """Score distribution for the chart. Scores like RICE are heavy-tailed, so when the positive scores span more
    than two orders of magnitude the bins are logarithmic; zeros get a bin of their own. Labels are lower bounds."""
    if not scores:
        return ()
    zeros = sum(1 for s in scores if s <= 0)
    positive = [s for s in scores if s > 0]
    out: list[tuple[str, int]] = [("0", zeros)] if zeros else []
    if not positive:
        return tuple(out)
    low, high = min(positive), max(positive)
    if high == low:
        return (*out, (_label(low), len(positive)))
    logarithmic = high / low > 100
    lo, hi = (math.log10(low), math.log10(high)) if logarithmic else (low, high)
    width = (hi - lo) / bins
    counts = Counter(min(bins - 1, int(((math.log10(s) if logarithmic else s) - lo) / width)) for s in positive)
    for i in range(bins):
        edge = lo + i * width
        out.append((_label(10**edge if logarithmic else edge), counts.get(i, 0)))
    return tuple(out)


def _rows(
    run: TrackerRun, now: datetime, changes: Mapping[IssueRef, str], activity: Mapping[IssueRef, datetime]
) -> list[IssueRow]:
    return [
        _row(i, run.results[i.ref], now, changes.get(i.ref, ""), activity.get(i.ref))
        for i in run.issues
        if i.ref in run.results
    ]


def _section(
    run: TrackerRun,
    settings: ReportSettings,
    now: datetime,
    synced: datetime | None,
    rows: Sequence[IssueRow],
) -> TrackerSection:
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: r.rank or 0)
    open_issues = [i for i in run.issues if i.status_category is not StatusCategory.DONE]
    open_keys = {i.key for i in open_issues}
    stale = sorted(
        (r for r in rows if r.key in open_keys and r.days_since_update >= settings.stale_days),
        key=lambda r: (-r.days_since_update, natural_key(r.key)),
    )
    buckets = Counter(r.bucket for r in ranked)
    order = list(BUCKETS) + sorted({b for b in buckets if b not in BUCKETS and b is not None})
    return TrackerSection(
        name=run.name,
        kind=run.kind,
        error=run.error,
        issues=len(run.issues),
        scored=len(ranked),
        top=tuple(ranked[: settings.top]),
        needs_input=tuple(sorted((r for r in rows if r.problems), key=lambda r: natural_key(r.key))),
        breaches=tuple(run.breaches),
        stale=tuple(stale),
        duplicates=tuple(
            run.duplicates if run.duplicates is not None else find_duplicates(open_issues, settings.duplicate_threshold)
        ),
        buckets=tuple((b, buckets.get(b, 0)) for b in order),
        score_histogram=histogram([r.score for r in ranked if r.score is not None]),
        synced=synced,
    )


def select_movers(
    moved: Sequence[Mapping[str, Any]], issues: Mapping[IssueRef, TrackerIssue], each_way: int = MOVERS_EACH_WAY
) -> tuple[Mover, ...]:
    """From every move of the run (`syncer.history.moves`, the full ranking): bucket changes (into or out of Now
    first), then the biggest rises and the biggest falls (ties: the higher new rank first), each issue once."""
    known = [m for m in moved if IssueRef(str(m["tracker"]), str(m["key"])) in issues]
    seen: set[tuple[str, str]] = set()
    out: list[Mover] = []
    for raw in (m for group in mover_picks(known, each_way) for m in group):
        issue = issues[IssueRef(str(raw["tracker"]), str(raw["key"]))]
        if (issue.tracker, issue.key) in seen:
            continue
        seen.add((issue.tracker, issue.key))
        out.append(
            Mover(
                tracker=issue.tracker,
                key=issue.key,
                title=issue.title,
                url=issue.url,
                rank_from=raw.get("rank_from"),
                rank_to=raw.get("rank_to"),
                bucket_from=raw.get("bucket_from"),
                bucket_to=raw.get("bucket_to"),
                score_from=raw.get("score_from"),
                score_to=raw.get("score_to"),
                cause=str(raw.get("cause") or ""),
            )
        )
    return tuple(out)


def build_report(
    run: RunReport,
    settings: ReportSettings,
    now: datetime,
    changes: Mapping[IssueRef, str] | None = None,
    flow: FlowReport | None = None,
    *,
    activity: Mapping[IssueRef, datetime] | None = None,
    synced: Mapping[str, datetime] | None = None,
    moved: Sequence[Mapping[str, Any]] = (),
) -> GroomingReport:
    """`activity`: each issue's last activity by people (else its `updated`); `synced`: for trackers whose
    content comes from an earlier run (this one could not sync them, or `syncer report`), when that was;
    `moved`: every move since the run before (`syncer.history.moves`), from which the movers are chosen."""
    changes, activity, synced = changes or {}, activity or {}, synced or {}
    per_tracker = [(t, _rows(t, now, changes, activity)) for t in run.trackers]  # built once, used twice
    sections = tuple(_section(t, settings, now, synced.get(t.name), rows) for t, rows in per_tracker)
    everything: list[IssueRow] = []
    for _t, rows in per_tracker:
        # Ranks are distinct within a tracker: the key's natural order is needed for the unranked only (a
        # natural key per row was a tuple of tuples for every issue, about 14 MB at 50,000).
        everything.extend(sorted((r for r in rows if r.rank is not None), key=lambda r: r.rank or 0))
        everything.extend(sorted((r for r in rows if r.rank is None), key=lambda r: natural_key(r.key)))
    # Only the issues that moved: a dict (and a new IssueRef) per issue is MBs at 50,000 for the 30 movers shown.
    wanted = {(str(m.get("tracker")), str(m.get("key"))) for m in moved}
    issues = {i.ref: i for t in run.trackers for i in t.issues if (i.tracker, i.key) in wanted}
    return GroomingReport(
        generated=now,
        dry_run=run.dry_run,
        sections=sections,
        rows=tuple(everything),
        flow=flow,
        movers=select_movers(moved, issues),
    )
