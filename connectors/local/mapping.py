"""Local tracker records <-> `TrackerIssue`.

An issue record: key, id, url, title, status, status_category (todo|in_progress|done), assignee, team, labels,
created, updated, status_entered (ISO 8601), is_subtask, `fields` (name -> value, where scoring inputs and the
worker's outputs live) and `comments` (id, author, body).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from syncer.comments import find_marker
from syncer.models import OwnedValues, RawValue, StatusCategory, TrackerIssue, WorkerComment
from syncer.settings import LocalTrackerSettings


class RecordError(ValueError):
    """One issue record is malformed; the issue is skipped and reported, the run goes on."""


def _time(record: Mapping[str, Any], name: str, *, required: bool) -> datetime | None:
    value = record.get(name)
    if value in (None, ""):
        if required:
            raise RecordError(f"{name} is missing")
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise RecordError(f"{name} {value!r} is not an ISO 8601 time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _required_time(record: Mapping[str, Any], name: str) -> datetime:
    value = _time(record, name, required=True)
    assert value is not None
    return value


def _raw(value: Any) -> RawValue:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _worker_comment(comments: Any) -> WorkerComment | None:
    for comment in comments or ():
        digest = find_marker(str(comment.get("body", "")))
        if digest is not None:
            return WorkerComment(str(comment["id"]), digest)
    return None


def to_issue(record: Mapping[str, Any], settings: LocalTrackerSettings) -> TrackerIssue:
    key = record.get("key")
    if not key:
        raise RecordError("key is missing")
    try:
        category = StatusCategory(record.get("status_category", "todo"))
    except ValueError as exc:
        raise RecordError(
            f"status_category {record.get('status_category')!r} is not todo, in_progress or done"
        ) from exc
    fields: Mapping[str, Any] = record.get("fields") or {}
    outputs = settings.outputs
    rank = _number(fields.get(outputs.rank)) if outputs.rank else None
    bucket = fields.get(outputs.bucket) if outputs.bucket else None
    return TrackerIssue(
        tracker=settings.name,
        key=str(key),
        id=str(record.get("id", key)),
        url=str(record.get("url") or f"{settings.url}{key}"),
        title=str(record.get("title", "")),
        status=str(record.get("status", "")),
        status_category=category,
        created=_required_time(record, "created"),
        updated=_required_time(record, "updated"),
        assignee=record.get("assignee") or None,
        team=record.get("team") or None,
        labels=tuple(str(x) for x in record.get("labels") or ()),
        status_entered=_time(record, "status_entered", required=False),
        is_subtask=bool(record.get("is_subtask", False)),
        # Without an `inputs` map, fields are read under their own names (a backlog already keyed by input).
        inputs={name: _raw(fields.get(field)) for name, field in settings.inputs.items()}
        if settings.inputs
        else {name: _raw(value) for name, value in fields.items()},
        owned=OwnedValues(
            score=_number(fields.get(outputs.score)) if outputs.score else None,
            rank=int(rank) if rank is not None else None,
            bucket=str(bucket) if bucket is not None else None,
        ),
        comment=_worker_comment(record.get("comments")),
    )
