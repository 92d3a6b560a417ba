"""Aging (pure): which in-progress items have been in progress too long.

"Too long" is the lower of two thresholds: the configured `max_age_days`, and the `percentile` (85th by
default) of how long recently finished items spent in progress, once enough of them are known. The second is
the team's own track record, so it needs no tuning: an item beyond it is slower than 85% of what got done.

In-progress time runs from when the state store first saw the item in progress (a span), so moving between
two in-progress columns does not reset it; without a span the tracker's status-entered time is used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syncer.alerts.events import Subject, aging_subject
from syncer.models import StatusCategory, TrackerIssue
from syncer.settings import AgingSettings


@dataclass(frozen=True, slots=True)
class Threshold:
    days: float
    rule: str
    """Why this threshold, in words, for the alert text."""


@dataclass(frozen=True, slots=True)
class SpanChanges:
    started: dict[str, datetime]
    finished: dict[str, datetime]
    dropped: list[str]


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (what numpy and spreadsheets call the default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    pos = (len(ordered) - 1) * pct / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def threshold(settings: AgingSettings, finished_days: Sequence[float]) -> Threshold | None:
    if not settings.enabled:
        return None
    candidates: list[Threshold] = []
    if settings.max_age_days is not None:
        candidates.append(Threshold(settings.max_age_days, f"max_age_days = {settings.max_age_days:g}"))
    if len(finished_days) >= settings.min_history:
        days = percentile(finished_days, settings.percentile)
        candidates.append(
            Threshold(
                days,
                f"{settings.percentile:g}th percentile of the {len(finished_days)} items finished in the last "
                f"{settings.history_days} days",
            )
        )
    return min(candidates, key=lambda c: c.days) if candidates else None


def in_progress_since(issue: TrackerIssue, spans: Mapping[str, datetime]) -> datetime | None:
    return spans.get(issue.key) or issue.status_entered


def aging_subjects(
    issues: Sequence[TrackerIssue], spans: Mapping[str, datetime], limit: Threshold | None, now: datetime
) -> list[Subject]:
    if limit is None:
        return []
    out: list[Subject] = []
    for issue in issues:
        if issue.status_category is not StatusCategory.IN_PROGRESS:
            continue
        since = in_progress_since(issue, spans)
        if since is None:
            continue
        age = (now - since).total_seconds() / 86400
        if age > limit.days:
            out.append(aging_subject(issue, age_days=age, threshold_days=limit.days, rule=limit.rule))
    return out


def span_changes(issues: Sequence[TrackerIssue], open_spans: Mapping[str, datetime], now: datetime) -> SpanChanges:
    """How this run's view of the tracker moves the in-progress spans.

    An open span whose item is no longer in the fetch counts as finished now: trackers are usually queried
    without done items (Jira JQL, Linear states), so leaving the result set is how finishing looks from here.
    """
    changes = SpanChanges({}, {}, [])
    seen = set()
    for issue in issues:
        seen.add(issue.key)
        is_open = issue.key in open_spans
        if issue.status_category is StatusCategory.IN_PROGRESS and not is_open:
            changes.started[issue.key] = min(issue.status_entered or now, now)
        elif issue.status_category is StatusCategory.DONE and is_open:
            ended = issue.status_entered or now
            changes.finished[issue.key] = max(ended, open_spans[issue.key])
        elif issue.status_category is StatusCategory.TODO and is_open:
            changes.dropped.append(issue.key)
    for key in open_spans:
        if key not in seen:
            changes.finished[key] = now
    return changes
