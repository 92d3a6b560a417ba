"""Local tracker records <-> `TrackerIssue`.

An issue record: key, id, url, title, status, status_category (todo|in_progress|done), assignee, team, labels,
created, updated, status_entered, started (ISO 8601; `started`, optional: when work began), is_subtask, `fields`
(name -> value, where scoring inputs and the worker's outputs live) and `comments` (id, author, body).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from syncer.comments import find_marker
from syncer.models import CompletedIssue, OwnedValues, RawValue, StatusCategory, TrackerIssue, WorkerComment
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
    if comments is None:
        return None
    if not isinstance(comments, list):
        raise RecordError(f"comments is {_kind(comments)}, not a list of objects")
    for position, comment in enumerate(comments, start=1):
        if not isinstance(comment, Mapping):
            # Skipped rather than guessed at: the writer edits comments in place by id.
            raise RecordError(f"comments #{position} is {_kind(comment)}, not an object with id, author and body")
    for comment in comments:
        digest = find_marker(str(comment.get("body", "")))
        if digest is not None and comment.get("id") not in (None, ""):
            return WorkerComment(str(comment["id"]), digest)
    return None


def _kind(value: Any) -> str:
    names = {str: "a string", list: "a list", dict: "an object", bool: "true/false", int: "a number"}
    return "null" if value is None else names.get(type(value), "a number" if isinstance(value, float) else "a value")


def _text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise RecordError(f"{name} is {_kind(value)}, not text")
    return str(value)


def check_record(record: Any) -> Mapping[str, Any]:
    """The record as an object with an object of fields, or a `RecordError` saying what it is instead."""
    if not isinstance(record, Mapping):
        raise RecordError(f"is {_kind(record)}, not an object")
    fields = record.get("fields")
    if fields is not None and not isinstance(fields, Mapping):
        raise RecordError(f"fields is {_kind(fields)}, not an object")
    labels = record.get("labels")
    if labels is not None and not isinstance(labels, list):
        raise RecordError(f"labels is {_kind(labels)}, not a list")
    return record


def to_issue(raw: Any, settings: LocalTrackerSettings) -> TrackerIssue:
    record = check_record(raw)
    key = _text(record, "key")
    if not key:
        raise RecordError("key is missing")
    try:
        category = StatusCategory(record.get("status_category", "todo"))
    except (ValueError, TypeError) as exc:
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
        assignee=_text(record, "assignee"),
        team=_text(record, "team"),
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


def to_completed(raw: Any, settings: LocalTrackerSettings) -> CompletedIssue | None:
    """A done record as a completion (finished when it entered its done status, else at its last update); None
    for a record that is not done. `started`, when the record has it, is when work on it began."""
    record = check_record(raw)
    key = _text(record, "key")
    if not key or record.get("status_category") != StatusCategory.DONE.value:
        return None
    finished = _time(record, "status_entered", required=False) or _required_time(record, "updated")
    return CompletedIssue(
        tracker=settings.name,
        key=key,
        team=_text(record, "team"),
        created=_required_time(record, "created"),
        completed=finished,
        started=_time(record, "started", required=False),
    )
