"""Tracker-neutral domain records shared by connectors, the scoring engine and the write-back planner.

Everything here is immutable: connectors build `TrackerIssue`s, the engine returns `ScoreResult`s, the WIP
evaluator returns `WipBreach`es and the planner returns a `WritebackPlan`. Nothing in this module does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

RawValue = str | int | float | bool | None
"""A scoring input as the tracker holds it: a number, a word ("High", "80%"), or nothing."""

OUTPUT_FIELDS = ("score", "rank", "bucket")
"""The values the worker owns on an issue (besides its comment)."""

_EMPTY: Mapping[str, RawValue] = MappingProxyType({})


class StatusCategory(StrEnum):
    """The tracker-independent stage of an issue; WIP limits count `IN_PROGRESS` items."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ScoreStatus(StrEnum):
    SCORED = "scored"
    NEEDS_INPUT = "needs_input"


@dataclass(frozen=True, slots=True)
class IssueRef:
    """Identifies one issue across trackers: the configured tracker name plus the tracker's key."""

    tracker: str
    key: str

    def __str__(self) -> str:
        return f"{self.tracker}:{self.key}"


@dataclass(frozen=True, slots=True)
class OwnedValues:
    """The worker's outputs as the tracker currently holds them (None where the field is empty)."""

    score: float | None = None
    rank: int | None = None
    bucket: str | None = None

    def get(self, name: str) -> float | int | str | None:
        value: float | int | str | None = getattr(self, name)
        return value


@dataclass(frozen=True, slots=True)
class WorkerComment:
    """The worker's own comment on an issue, found by its marker.

    `text_hash` is the hash of the text the worker rendered (see `syncer.comments.text_hash`), so planning can
    tell whether the comment is current without comparing tracker-specific markup (ADF, wiki, Markdown).
    """

    id: str
    text_hash: str
    duplicates: tuple[str, ...] = ()
    """Other comments carrying the worker's marker (orphans of a lost answer or an older version): to remove."""
    recorded: bool = True
    """False when the tracker's record of the comment (Jira's `syncer.comment` property) is missing or stale."""


@dataclass(frozen=True, slots=True)
class TrackerIssue:
    """One issue as read from a tracker, with everything scoring, WIP and write-back planning need."""

    tracker: str
    key: str
    id: str
    url: str
    title: str
    status: str
    status_category: StatusCategory
    created: datetime
    updated: datetime
    assignee: str | None = None
    team: str | None = None
    labels: tuple[str, ...] = ()
    status_entered: datetime | None = None
    is_subtask: bool = False
    inputs: Mapping[str, RawValue] = field(default_factory=lambda: _EMPTY)
    owned: OwnedValues = OwnedValues()
    comment: WorkerComment | None = None

    @property
    def ref(self) -> IssueRef:
        return IssueRef(self.tracker, self.key)


@dataclass(frozen=True, slots=True)
class CompletedIssue:
    """An issue completed within the flow window (`[aging] history_days`), read only for the report's flow
    metrics: it is never scored, ranked or written to, so it carries no inputs, outputs or comment."""

    tracker: str
    key: str
    team: str | None
    created: datetime
    completed: datetime
    started: datetime | None = None
    """When work started (it first entered an in-progress state), when the tracker says so without extra
    requests (Linear's `startedAt`, the local file's `started`); None for Jira, whose only record of it is the
    changelog."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one input could not be used; `input` is the logical input name (e.g. "effort")."""

    input: str
    message: str


@dataclass(frozen=True, slots=True)
class Breakdown:
    """How a score was computed: the formula, the raw values read and the numbers they became."""

    model: str
    formula: str
    values: Mapping[str, float]
    raw: Mapping[str, RawValue]


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The engine's verdict on one issue. A `needs_input` result has no score, rank or bucket."""

    ref: IssueRef
    status: ScoreStatus
    score: float | None = None
    breakdown: Breakdown | None = None
    problems: tuple[Problem, ...] = ()
    rank: int | None = None
    bucket: str | None = None
    moscow: str | None = None
    tiebreak: float | None = None
    """Effort or job size: lower wins a tie in score."""

    @property
    def scored(self) -> bool:
        return self.status is ScoreStatus.SCORED


@dataclass(frozen=True, slots=True)
class WipLimit:
    """At most `limit` in-progress items in one scope ("status", "assignee" or "team") and name."""

    scope: str
    name: str
    limit: int
    source: str = "config"
    exclude_subtasks: bool = False
    statuses: tuple[str, ...] = ()
    """For a board column: the statuses it holds (empty: the status named `name`)."""


@dataclass(frozen=True, slots=True)
class WipItem:
    ref: IssueRef
    title: str
    url: str
    status_entered: datetime | None
    age_days: float | None


@dataclass(frozen=True, slots=True)
class WipBreach:
    """A scope holding more in-progress items than its limit; `items` are oldest in status first."""

    tracker: str
    scope: str
    name: str
    limit: int
    count: int
    items: tuple[WipItem, ...]
    source: str = "config"

    @property
    def episode_key(self) -> str:
        return f"{self.tracker}/{self.scope}/{self.name}"


@dataclass(frozen=True, slots=True)
class CommentUpsert:
    """Create (`comment_id` None) or edit the worker's comment; `text` carries no tracker markup."""

    comment_id: str | None
    text: str
    text_hash: str
    current_hash: str | None = None
    """The hash the existing comment already carries: equal to `text_hash` when only a repair is needed."""
    duplicates: tuple[str, ...] = ()
    """Orphaned copies of the worker's comment to delete."""

    @property
    def edit_needed(self) -> bool:
        return self.comment_id is None or self.current_hash != self.text_hash


@dataclass(frozen=True, slots=True)
class IssueWrite:
    """Everything to change on one issue: owned field values (output name -> new value) and the comment."""

    ref: IssueRef
    issue_id: str
    fields: Mapping[str, float | int | str | None]
    previous: Mapping[str, float | int | str | None]
    comment: CommentUpsert | None = None
    result: ScoreResult | None = None


@dataclass(frozen=True, slots=True)
class WritebackPlan:
    tracker: str
    writes: tuple[IssueWrite, ...]

    @property
    def field_count(self) -> int:
        return sum(len(w.fields) for w in self.writes)

    @property
    def comment_count(self) -> int:
        return sum(1 for w in self.writes if w.comment is not None)


@dataclass(frozen=True, slots=True)
class WriteFailure:
    ref: IssueRef
    message: str


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What a connector actually wrote; failures are per issue and leave the rest of the plan applied."""

    fields_written: int = 0
    comments_written: int = 0
    issues_written: int = 0
    failures: tuple[WriteFailure, ...] = ()


_NATURAL = re.compile(r"(\d+)")


def natural_key(key: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders `ACME-9` before `ACME-10`."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _NATURAL.split(key) if part)
