"""Assembling the grooming report from a run (pure): top of the ranking, what needs input, WIP breaches,
stale items and likely duplicates, per tracker."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syncer.models import IssueRef, ScoreResult, StatusCategory, TrackerIssue, WipBreach, natural_key
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
    formula: str
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


@dataclass(frozen=True)
class GroomingReport:
    generated: datetime
    dry_run: bool
    sections: tuple[TrackerSection, ...]
    rows: tuple[IssueRow, ...] = field(repr=False)
    """Every issue, ranked ones first: the CSV/JSON export."""
    flow: FlowReport | None = field(default=None, repr=False)
    """Flow metrics and the Now-list forecast, when the state store was at hand."""

    @property
    def totals(self) -> dict[str, int]:
        return {
            "issues": sum(s.issues for s in self.sections),
            "scored": sum(s.scored for s in self.sections),
            "needs_input": sum(len(s.needs_input) for s in self.sections),
            "wip_breaches": sum(len(s.breaches) for s in self.sections),
            "stale": sum(len(s.stale) for s in self.sections),
            "duplicates": sum(len(s.duplicates) for s in self.sections),
        }


def _row(issue: TrackerIssue, result: ScoreResult, now: datetime, change: str) -> IssueRow:
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
        formula=result.breakdown.formula if result.breakdown else "",
        problems=tuple(f"{p.input}: {p.message}" for p in result.problems),
        change=change,
        days_since_update=max(0.0, (now - issue.updated).total_seconds() / 86400),
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


def _section(
    run: TrackerRun, settings: ReportSettings, now: datetime, changes: Mapping[IssueRef, str]
) -> TrackerSection:
    rows = [_row(i, run.results[i.ref], now, changes.get(i.ref, "")) for i in run.issues if i.ref in run.results]
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
        duplicates=tuple(find_duplicates(open_issues, settings.duplicate_threshold)),
        buckets=tuple((b, buckets.get(b, 0)) for b in order),
        score_histogram=histogram([r.score for r in ranked if r.score is not None]),
    )


def build_report(
    run: RunReport,
    settings: ReportSettings,
    now: datetime,
    changes: Mapping[IssueRef, str] | None = None,
    flow: FlowReport | None = None,
) -> GroomingReport:
    sections = tuple(_section(t, settings, now, changes or {}) for t in run.trackers)
    everything: list[IssueRow] = []
    for t in run.trackers:
        rows = [_row(i, t.results[i.ref], now, (changes or {}).get(i.ref, "")) for i in t.issues if i.ref in t.results]
        everything.extend(sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, natural_key(r.key))))
    return GroomingReport(generated=now, dry_run=run.dry_run, sections=sections, rows=tuple(everything), flow=flow)
