"""WIP evaluation (pure): which scopes hold more in-progress work than their limit, oldest items first.

A limit of N allows N items; more than N is a breach (the rule Jira boards use for a column's max).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from syncer.models import StatusCategory, TrackerIssue, WipBreach, WipItem, WipLimit, natural_key
from syncer.settings import WipSettings

_NEVER = datetime.max.replace(tzinfo=UTC)
ANY = "*"
"""`WipLimit.name` for a per-assignee limit that applies to every person separately."""


def limits_from_settings(wip: WipSettings) -> list[WipLimit]:
    limits = [WipLimit("status", name, n) for name, n in wip.limits.items()]
    if wip.per_assignee is not None:
        limits.append(WipLimit("assignee", ANY, wip.per_assignee, exclude_subtasks=wip.per_assignee_exclude_subtasks))
    limits.extend(WipLimit("team", name, n) for name, n in wip.per_team.items())
    return limits


def merge_limits(config: Sequence[WipLimit], tracker: Sequence[WipLimit]) -> list[WipLimit]:
    """Config limits override tracker-provided ones (a board column) for the same scope and name."""
    taken = {(lim.scope, lim.name.casefold()) for lim in config}
    return list(config) + [lim for lim in tracker if (lim.scope, lim.name.casefold()) not in taken]


def _age_days(issue: TrackerIssue, now: datetime) -> float | None:
    if issue.status_entered is None:
        return None
    return max(0.0, (now - issue.status_entered).total_seconds() / 86400)


def _oldest_first(issues: Iterable[TrackerIssue]) -> list[TrackerIssue]:
    # Unknown entry time sorts last: we cannot claim it is the oldest.
    return sorted(
        issues,
        key=lambda i: (i.status_entered is None, i.status_entered or _NEVER, natural_key(i.key)),
    )


def _members(limit: WipLimit, issues: Sequence[TrackerIssue]) -> dict[str, list[TrackerIssue]]:
    """Issues counted against `limit`, grouped by the scope name they fall under."""
    pool = [i for i in issues if not (limit.exclude_subtasks and i.is_subtask)]
    groups: dict[str, list[TrackerIssue]] = defaultdict(list)
    if limit.scope == "status":
        wanted = {s.casefold() for s in (limit.statuses or (limit.name,))}
        groups[limit.name] = [i for i in pool if i.status.casefold() in wanted]
    elif limit.scope == "assignee":
        for issue in pool:
            if (
                issue.status_category is StatusCategory.IN_PROGRESS
                and issue.assignee
                and (limit.name == ANY or issue.assignee.casefold() == limit.name.casefold())
            ):
                groups[issue.assignee].append(issue)
    elif limit.scope == "team":
        groups[limit.name] = [
            i
            for i in pool
            if i.status_category is StatusCategory.IN_PROGRESS and (i.team or "").casefold() == limit.name.casefold()
        ]
    return groups


def evaluate_wip(
    tracker: str, issues: Sequence[TrackerIssue], limits: Sequence[WipLimit], now: datetime
) -> list[WipBreach]:
    """Every breach, in the order the limits were given; items in each breach are oldest in status first."""
    breaches: list[WipBreach] = []
    for limit in limits:
        for name, members in sorted(_members(limit, issues).items()):
            if len(members) <= limit.limit:
                continue
            items = tuple(
                WipItem(i.ref, i.title, i.url, i.status_entered, _age_days(i, now)) for i in _oldest_first(members)
            )
            breaches.append(
                WipBreach(tracker, limit.scope, name, limit.limit, len(members), items, source=limit.source)
            )
    return breaches
