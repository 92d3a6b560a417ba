"""Jira issue JSON -> `TrackerIssue`: inputs by logical name, owned values, status category, time in status.

Pure functions over the search response. Inputs stay raw (a number, an option's value, a string) because the
scoring engine owns the parsing of words and percentages.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.jira.adf import plain_text
from connectors.jira.fields import JiraField
from syncer.models import CompletedIssue, OwnedValues, RawValue, StatusCategory, TrackerIssue, WorkerComment

COMMENT_PROPERTY = "syncer.comment"
"""Issue entity property holding `{"id": <comment id>, "hash": <text hash>}` of the worker's comment."""

BASE_FIELDS = ("summary", "status", "assignee", "created", "updated", "labels", "issuetype")
STATUS_CATEGORY_CHANGED = "statuscategorychangedate"  # Cloud only; not in the OpenAPI spec, but returned.

CATEGORIES: Mapping[str, StatusCategory] = {
    "new": StatusCategory.TODO,
    "indeterminate": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}


@dataclass(frozen=True)
class IssueShape:
    """What to read from each issue: the resolved input and output fields of one tracker."""

    tracker: str
    base_url: str
    cloud: bool
    inputs: Mapping[str, JiraField]
    outputs: Mapping[str, JiraField]
    comment: bool = True

    def search_fields(self) -> list[str]:
        wanted = list(BASE_FIELDS)
        if self.cloud:
            wanted.append(STATUS_CATEGORY_CHANGED)
        for f in [*self.inputs.values(), *self.outputs.values()]:
            if f.id not in wanted:
                wanted.append(f.id)
        if self.comment:
            # The comment total and the first comments: where the worker's comment is, without another request.
            wanted.append("comment")
        return wanted


def parse_time(value: Any) -> datetime | None:
    """Jira timestamps look like `2024-05-01T10:22:33.123+0000`; always returned tz-aware."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def raw_value(value: Any) -> RawValue:
    """A field value as the scoring engine takes it: select -> its option value, user -> display name."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        if value.get("type") == "doc":
            # A multi-line text field on REST v3 (Cloud) comes back as an ADF document.
            return plain_text(value).strip() or None
        for key in ("value", "name", "displayName"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return None
    if isinstance(value, list):
        parts = [raw_value(v) for v in value]
        texts = [str(p) for p in parts if p is not None]
        if not texts:
            return None
        return parts[0] if len(texts) == 1 else ", ".join(texts)
    return str(value)


def _owned(fields: Mapping[str, Any], shape: IssueShape) -> OwnedValues:
    values: dict[str, Any] = {}
    for name, jira_field in shape.outputs.items():
        raw = raw_value(fields.get(jira_field.id))
        if name in ("score", "rank") and isinstance(raw, str):
            try:
                raw = float(raw)
            except ValueError:
                raw = None
        if name == "rank" and isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if name == "bucket" and raw is not None:
            raw = str(raw)
        values[name] = raw
    return OwnedValues(**values)


def _comment(properties: Any) -> WorkerComment | None:
    if not isinstance(properties, dict):
        return None
    value = properties.get(COMMENT_PROPERTY)
    if isinstance(value, dict) and isinstance(value.get("id"), str | int) and isinstance(value.get("hash"), str):
        return WorkerComment(str(value["id"]), value["hash"])
    return None


def _status_entered(raw: Mapping[str, Any], fields: Mapping[str, Any], shape: IssueShape) -> datetime | None:
    if shape.cloud:
        return parse_time(fields.get(STATUS_CATEGORY_CHANGED)) or parse_time(fields.get("created"))
    # Data Center has no statuscategorychangedate: the last status change in the changelog is the entry time.
    histories = (raw.get("changelog") or {}).get("histories") or []
    entered: datetime | None = None
    for history in histories:
        if any(item.get("field") == "status" for item in history.get("items") or []):
            when = parse_time(history.get("created"))
            if when is not None and (entered is None or when > entered):
                entered = when
    return entered or parse_time(fields.get("created"))


def team_of(key: str) -> str:
    """The project key (the part of the issue key before the dash): the team for `[wip] per_team`."""
    return key.rsplit("-", 1)[0]


def to_completed(raw: Mapping[str, Any], shape: IssueShape) -> CompletedIssue | None:
    """A completed-issues search hit (`created`, `resolutiondate`); None when Jira sent no resolution date."""
    fields: Mapping[str, Any] = raw.get("fields") or {}
    key = str(raw["key"])
    created, resolved = parse_time(fields.get("created")), parse_time(fields.get("resolutiondate"))
    if created is None or resolved is None:
        return None
    return CompletedIssue(tracker=shape.tracker, key=key, team=team_of(key), created=created, completed=resolved)


def _shared(value: RawValue) -> RawValue:
    """One copy of each repeated word ("High", "80%"): a backlog repeats a few values across every issue, and each
    issue held its own copy from the JSON page (about 200 bytes an issue with status and assignee)."""
    return sys.intern(value) if isinstance(value, str) and len(value) <= 40 else value


def to_issue(raw: Mapping[str, Any], shape: IssueShape) -> TrackerIssue:
    fields: Mapping[str, Any] = raw.get("fields") or {}
    key = str(raw["key"])
    status = fields.get("status") or {}
    category_key = (status.get("statusCategory") or {}).get("key", "new")
    created = parse_time(fields.get("created")) or datetime.now(UTC)
    assignee = fields.get("assignee")
    who = (assignee.get("displayName") or assignee.get("name")) if isinstance(assignee, dict) else None
    return TrackerIssue(
        tracker=shape.tracker,
        key=key,
        id=str(raw.get("id", key)),
        url=f"{shape.base_url}/browse/{key}",
        title=str(fields.get("summary") or ""),
        status=sys.intern(str(status.get("name") or "")),
        status_category=CATEGORIES.get(category_key, StatusCategory.TODO),
        created=created,
        updated=parse_time(fields.get("updated")) or created,
        assignee=sys.intern(str(who)) if who else None,
        team=team_of(key),
        labels=tuple(sys.intern(str(label)) for label in fields.get("labels") or ()),
        status_entered=_status_entered(raw, fields, shape),
        is_subtask=bool((fields.get("issuetype") or {}).get("subtask")),
        inputs={name: _shared(raw_value(fields.get(f.id))) for name, f in shape.inputs.items()},
        owned=_owned(fields, shape),
        comment=_comment(raw.get("properties")) if shape.comment else None,
    )
