"""One issue node from `SyncerIssues` -> `TrackerIssue`, plus what the writer needs to know about it.

- status: the workflow state's name; status category from its type (started -> in progress; completed,
  canceled, duplicate -> done; triage, backlog, unstarted -> to do);
- entered-current-status time: `startedAt` for started issues (Linear keeps no per-state timestamp on the issue,
  so an issue moved from "In Progress" to "In Review" counts from when work started), `completedAt` /
  `canceledAt` for finished ones, none for the rest;
- owned values: read back from our score card's metadata and/or the bucket label, so a rerun plans nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.linear.card import read_card
from connectors.linear.catalog import LabelCatalog, Team
from connectors.linear.estimates import EstimateScale
from connectors.linear.inputs import InputSpec, read_input
from syncer.comments import find_marker
from syncer.models import CompletedIssue, OwnedValues, RawValue, StatusCategory, TrackerIssue, WorkerComment

DONE_TYPES = frozenset({"completed", "canceled", "duplicate"})


def status_category(state_type: str) -> StatusCategory:
    if state_type == "started":
        return StatusCategory.IN_PROGRESS
    if state_type in DONE_TYPES:
        return StatusCategory.DONE
    return StatusCategory.TODO


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _stamp(value: Any) -> datetime:
    when = _when(value)
    if when is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return when


@dataclass(frozen=True, slots=True)
class IssueState:
    """What the writer needs beyond the plan: the team (for its label group) and the current outputs."""

    id: str
    team_id: str
    card: OwnedValues
    bucket_label_id: str | None
    bucket_label: str | None


@dataclass(frozen=True, slots=True)
class MappingContext:
    tracker: str
    teams: Mapping[str, Team]
    labels: LabelCatalog
    specs: Sequence[InputSpec]
    attachment_url: str
    attachment: bool
    bucket_group: str | None


def _bucket_label(ctx: MappingContext, team_id: str, label_ids: Sequence[str]) -> tuple[str | None, str | None]:
    if not ctx.bucket_group:
        return None, None
    group = ctx.labels.group(ctx.bucket_group, team_id)
    label = ctx.labels.child_of(group.id, label_ids) if group is not None else None
    return (label.id, label.name) if label is not None else (None, None)


def _owned(ctx: MappingContext, card: OwnedValues, bucket_label: str | None) -> OwnedValues:
    if not ctx.attachment:
        return OwnedValues(bucket=bucket_label)
    if not ctx.bucket_group or card.bucket == bucket_label:
        return card
    # Card and label disagree (a person moved the label): report a bucket no plan can match, so the next plan
    # rewrites both; the text shows up as the "previous" value in `syncer plan`.
    mismatch = f"{card.bucket or '-'} (label {bucket_label or '-'})"
    return OwnedValues(card.score, card.rank, mismatch)


def _comment(node: Mapping[str, Any]) -> WorkerComment | None:
    """The worker's comment; further comments with its marker (an older version's copies) are duplicates."""
    ours = [
        (str(comment["id"]), digest)
        for comment in (node.get("comments") or {}).get("nodes") or []
        if isinstance(comment, dict) and (digest := find_marker(comment.get("body") or "")) is not None
    ]
    if not ours:
        return None
    (kept, digest), copies = ours[0], tuple(i for i, _ in ours[1:])
    return WorkerComment(kept, digest, copies)


def _input(value: RawValue) -> RawValue:
    return _shared(value) if isinstance(value, str) else value


def _shared(value: str | None) -> str | None:
    """One copy of each repeated name (state, assignee, team, label): every node of a page brings its own, and
    a backlog repeats a few dozen of them over every issue."""
    return sys.intern(value) if isinstance(value, str) and len(value) <= 80 else value


def to_issue(node: Mapping[str, Any], ctx: MappingContext, needs: int | None) -> tuple[TrackerIssue, IssueState]:
    """Map one node; `needs` is the complete customer-need count (or None when that input is not configured)."""
    team_id = node["team"]["id"]
    team = ctx.teams.get(team_id)
    scale = team.scale if team is not None else EstimateScale("notUsed")
    label_ids = tuple(node.get("labelIds") or ())
    labels = ctx.labels.issue_labels(label_ids)
    inputs = {spec.input: _input(read_input(spec, node, labels, scale, needs)) for spec in ctx.specs}
    url = ctx.attachment_url.format(issue_id=node["id"])
    card_meta = next(
        (a.get("metadata") for a in (node.get("attachments") or {}).get("nodes") or [] if a.get("url") == url), None
    )
    card = read_card(card_meta)
    bucket_id, bucket_name = _bucket_label(ctx, team_id, label_ids)
    state = node["state"]
    category = status_category(state["type"])
    entered = {
        StatusCategory.IN_PROGRESS: node.get("startedAt"),
        StatusCategory.DONE: node.get("completedAt") or node.get("canceledAt"),
    }.get(category)
    names = [f"{parent}/{name}" if parent else name for name, parent in labels.pairs]
    issue = TrackerIssue(
        tracker=ctx.tracker,
        key=node["identifier"],
        id=node["id"],
        url=node["url"],
        title=node["title"],
        status=_shared(state["name"]) or "",
        status_category=category,
        created=_stamp(node["createdAt"]),
        updated=_stamp(node["updatedAt"]),
        assignee=_shared((node.get("assignee") or {}).get("name")),
        team=_shared(node["team"]["key"]),
        labels=tuple(_shared(n) or "" for n in names),
        status_entered=_when(entered),
        is_subtask=node.get("parent") is not None,
        inputs=inputs,
        owned=_owned(ctx, card, bucket_name),
        comment=_comment(node),
    )
    return issue, IssueState(issue.id, _shared(team_id) or "", card, _shared(bucket_id), _shared(bucket_name))


def to_completed(node: Mapping[str, Any], tracker: str) -> CompletedIssue | None:
    """One `SyncerCompleted` node; None if Linear sent it without a completion time."""
    completed = _when(node.get("completedAt"))
    if completed is None:
        return None
    return CompletedIssue(
        tracker=tracker,
        key=node["identifier"],
        team=(node.get("team") or {}).get("key"),
        created=_stamp(node["createdAt"]),
        completed=completed,
        started=_when(node.get("startedAt")),
    )
