"""What an alert is about (`Subject`) and one message about it (`AlertEvent`), both plain JSON-able data.

Events are stored in the state store when they are decided and rendered by each destination when sent, so a
retried delivery sends exactly what the first attempt would have sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from syncer.escape import NAME_MAX, TITLE_MAX, http_url, one_line
from syncer.models import TrackerIssue, WipBreach

EventType = Literal["started", "reminder", "resolved"]
Category = Literal["wip", "aging"]


@dataclass(frozen=True, slots=True)
class Subject:
    """One thing worth alerting about right now: a WIP breach or an item in progress for too long."""

    key: str
    """Stable across runs while the situation lasts: `tracker/scope/name` or `tracker/aging/ISSUE-KEY`."""
    category: Category
    tracker: str
    data: Mapping[str, Any]
    teams: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertEvent:
    id: str
    type: EventType
    category: Category
    key: str
    tracker: str
    episode_started: datetime
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, type_: EventType, subject: Subject, *, episode_started: datetime, at: datetime) -> AlertEvent:
        return cls(
            id=str(uuid.uuid4()),
            type=type_,
            category=subject.category,
            key=subject.key,
            tracker=subject.tracker,
            episode_started=episode_started,
            at=at,
            data=dict(subject.data),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "category": self.category,
            "key": self.key,
            "tracker": self.tracker,
            "episode_started": self.episode_started.isoformat(),
            "at": self.at.isoformat(),
            "data": dict(self.data),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> AlertEvent:
        return cls(
            id=raw["id"],
            type=raw["type"],
            category=raw["category"],
            key=raw["key"],
            tracker=raw["tracker"],
            episode_started=datetime.fromisoformat(raw["episode_started"]),
            at=datetime.fromisoformat(raw["at"]),
            data=raw["data"],
        )


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


_NAMES = frozenset({"key", "issue", "name", "status", "assignee", "team"})


def shown(data: Mapping[str, Any]) -> dict[str, Any]:
    """Subject data as every destination may show it: tracker text reduced to one clean, clipped line and a URL
    to http(s) or "", so no payload carries terminal escapes, bidi overrides, a `javascript:` link or a 100 KB
    title. Applied when a subject is made and again when a stored message is sent (it may predate this)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "items" and isinstance(value, list):
            out[key] = [shown(item) if isinstance(item, Mapping) else item for item in value]
        elif value is None or not isinstance(value, str):
            out[key] = value
        elif key in _NAMES:
            out[key] = one_line(value, NAME_MAX)
        elif key == "title":
            out[key] = one_line(value, TITLE_MAX)
        elif key == "url":
            out[key] = http_url(value) or ""
        else:
            out[key] = value
    return out


def wip_subject(breach: WipBreach, issues: Mapping[str, TrackerIssue], *, max_items: int = 10) -> Subject:
    """A breach as an alert subject; `issues` (by key) supplies teams and assignees of the items."""
    teams = {breach.name} if breach.scope == "team" else set()
    items: list[dict[str, Any]] = []
    for item in breach.items:
        issue = issues.get(item.ref.key)
        if issue is not None and issue.team:
            teams.add(issue.team)
        if len(items) < max_items:
            items.append(
                {
                    "key": item.ref.key,
                    "title": item.title,
                    "url": item.url,
                    "age_days": _days(item.age_days),
                    "assignee": issue.assignee if issue else None,
                }
            )
    data = {
        "scope": breach.scope,
        "name": breach.name,
        "limit": breach.limit,
        "count": breach.count,
        "source": breach.source,
        "items": items,
    }
    return Subject(breach.episode_key, "wip", breach.tracker, shown(data), tuple(sorted(teams)))


def aging_subject(issue: TrackerIssue, *, age_days: float, threshold_days: float, rule: str) -> Subject:
    data = {
        "issue": issue.key,
        "title": issue.title,
        "url": issue.url,
        "status": issue.status,
        "assignee": issue.assignee,
        "team": issue.team,
        "age_days": _days(age_days),
        "threshold_days": _days(threshold_days),
        "rule": rule,
    }
    teams = (issue.team,) if issue.team else ()
    return Subject(f"{issue.tracker}/aging/{issue.key}", "aging", issue.tracker, shown(data), teams)


def by_key(subjects: Sequence[Subject]) -> dict[str, Subject]:
    return {s.key: s for s in subjects}
