"""Tracker-neutral domain records shared by connectors, the scoring engine and the write-back planner.

Everything here is immutable: connectors build `TrackerIssue`s, the engine returns `ScoreResult`s, the WIP
evaluator returns `WipBreach`es and the planner returns a `WritebackPlan`. Nothing in this module does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

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


class BreakdownSource(Protocol):
    """Where a deferred `Breakdown` gets its text and values: the batch that scored the issue."""

    def explain(self, index: int) -> tuple[str, Mapping[str, float], Mapping[str, RawValue]]:
        """The formula text, the values as the formula uses them and the raw values, for one scored issue."""
        ...


class _ValueObject:
    """Equal and hashed by `_fields()`, as a frozen dataclass is by its fields: for the hand-written immutable
    classes below, which keep private slots a dataclass would compare."""

    __slots__ = ()

    def _fields(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, _ValueObject)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())


class Breakdown(_ValueObject):
    """How a score was computed: the formula, the raw values read and the numbers they became.

    Immutable, and equal, hashed and shown like a frozen dataclass of (model, formula, values, raw). Batch
    scoring defers the formula text and the two mappings (`Breakdown.deferred`) to each read: building them for
    every issue was most of the cost of scoring 100,000 issues, and keeping them once read held them through the
    whole run.
    """

    # Read-only properties over private slots instead of a frozen dataclass: a frozen dataclass sets each field
    # through object.__setattr__, several times slower than a plain slot store, 100,000 times per ranking.
    # Assigning a public name raises AttributeError (no setter); the private slots are this module's business.
    __slots__ = ("_formula", "_index", "_model", "_raw", "_source", "_values")
    __match_args__ = ("model", "formula", "values", "raw")

    _model: str
    _formula: str
    _values: Mapping[str, float]
    _raw: Mapping[str, RawValue]
    _source: BreakdownSource | None
    _index: int

    def __init__(self, model: str, formula: str, values: Mapping[str, float], raw: Mapping[str, RawValue]) -> None:
        self._model = model
        self._formula = formula
        self._values = values
        self._raw = raw
        self._source = None

    @classmethod
    def deferred(cls, model: str, source: BreakdownSource, index: int) -> Breakdown:
        """A breakdown whose formula, values and raw values come from `source.explain(index)` when read."""
        self = object.__new__(cls)
        self._model = model
        self._source = source
        self._index = index
        return self

    def _explained(self) -> tuple[str, Mapping[str, float], Mapping[str, RawValue]]:
        source = self._source
        if source is not None:
            # Built again on each read, not kept: a run reads every issue's breakdown (comment, history, report
            # row), and keeping them settled held a formula and two dicts per issue through the grooming report
            # (about 0.5 KB an issue). The batch remembers the last one it built, for reads in a row.
            return source.explain(self._index)
        return self._formula, self._values, self._raw

    @property
    def model(self) -> str:
        return self._model

    @property
    def formula(self) -> str:
        return self._explained()[0]

    @property
    def values(self) -> Mapping[str, float]:
        return self._explained()[1]

    @property
    def raw(self) -> Mapping[str, RawValue]:
        return self._explained()[2]

    def _fields(self) -> tuple[str, str, Mapping[str, float], Mapping[str, RawValue]]:
        return (self._model, *self._explained())

    def __repr__(self) -> str:
        return f"Breakdown(model={self.model!r}, formula={self.formula!r}, values={self.values!r}, raw={self.raw!r})"

    def __reduce__(self) -> tuple[type[Breakdown], tuple[str, str, Mapping[str, float], Mapping[str, RawValue]]]:
        return Breakdown, self._fields()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: object, handler: Callable[[object], Any]) -> Any:
        """Stored (the report's snapshot) exactly as the frozen dataclass it replaced: its four fields."""
        from pydantic_core import core_schema  # only where a schema is built, so this module stays import-light

        fields = handler(_BreakdownFields)
        return core_schema.no_info_after_validator_function(
            lambda data: Breakdown(data.model, data.formula, data.values, data.raw),
            fields,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda breakdown: _BreakdownFields(*breakdown._fields()), return_schema=fields
            ),
        )


@dataclass(frozen=True, slots=True)
class _BreakdownFields:
    """`Breakdown`'s fields, for pydantic (validation and serialisation)."""

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


class _ResultUnderConstruction:
    """The same slots as `ScoreResult`, without the frozen guard: `new_result` fills one, then makes it a result."""

    __slots__ = ScoreResult.__slots__
    ref: IssueRef
    status: ScoreStatus
    score: float | None
    breakdown: Breakdown | None
    problems: tuple[Problem, ...]
    rank: int | None
    bucket: str | None
    moscow: str | None
    tiebreak: float | None


def new_result(
    ref: IssueRef,
    status: ScoreStatus,
    score: float | None,
    breakdown: Breakdown | None,
    problems: tuple[Problem, ...],
    rank: int | None,
    bucket: str | None,
    moscow: str | None,
    tiebreak: float | None,
) -> ScoreResult:
    """`ScoreResult(...)` with every field given, ten times faster, for building 100,000 at once.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__` by name, which was a tenth
    of the cost of scoring a backlog. This fills an object with the same slot layout by plain stores and then
    assigns its class (CPython checks the two layouts are identical). The test suite checks the outcome equals
    the constructor's, field by field.
    """
    result = _ResultUnderConstruction()
    result.ref = ref
    result.status = status
    result.score = score
    result.breakdown = breakdown
    result.problems = problems
    result.rank = rank
    result.bucket = bucket
    result.moscow = moscow
    result.tiebreak = tiebreak
    result.__class__ = ScoreResult  # type: ignore[assignment]
    return result  # type: ignore[return-value]


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


class CommentUpsert(_ValueObject):
    """Create (`comment_id` None) or edit the worker's comment; `text` carries no tracker markup.

    Immutable, and equal and shown like a frozen dataclass of its five fields. A planned comment may be
    `deferred`: its text is rendered again when the writer reads it instead of being held from planning to
    writing (about 0.5 KB an issue, every issue of a first sync at once).
    """

    __slots__ = ("_render", "_text", "comment_id", "current_hash", "duplicates", "text_hash")
    __match_args__ = ("comment_id", "text", "text_hash", "current_hash", "duplicates")

    _text: str
    _render: Callable[[], str] | None
    comment_id: str | None
    text_hash: str
    current_hash: str | None
    """The hash the existing comment already carries: equal to `text_hash` when only a repair is needed."""
    duplicates: tuple[str, ...]
    """Orphaned copies of the worker's comment to delete."""

    def __init__(
        self,
        comment_id: str | None,
        text: str,
        text_hash: str,
        current_hash: str | None = None,
        duplicates: tuple[str, ...] = (),
    ) -> None:
        set_ = object.__setattr__
        set_(self, "comment_id", comment_id)
        set_(self, "_text", text)
        set_(self, "_render", None)
        set_(self, "text_hash", text_hash)
        set_(self, "current_hash", current_hash)
        set_(self, "duplicates", duplicates)

    @classmethod
    def deferred(
        cls,
        comment_id: str | None,
        render: Callable[[], str],
        text_hash: str,
        current_hash: str | None = None,
        duplicates: tuple[str, ...] = (),
    ) -> CommentUpsert:
        """An upsert whose text is `render()`, called on each read (it must return the text `text_hash` hashes)."""
        self = cls(comment_id, "", text_hash, current_hash, duplicates)
        object.__setattr__(self, "_render", render)
        return self

    @property
    def text(self) -> str:
        render = self._render
        return self._text if render is None else render()

    def spent(self) -> CommentUpsert:
        """This upsert once written: the same, without its text (nothing reads it after the write)."""
        return CommentUpsert(self.comment_id, "", self.text_hash, self.current_hash, self.duplicates)

    @property
    def edit_needed(self) -> bool:
        return self.comment_id is None or self.current_hash != self.text_hash

    def _fields(self) -> tuple[str | None, str, str, str | None, tuple[str, ...]]:
        return self.comment_id, self.text, self.text_hash, self.current_hash, self.duplicates

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CommentUpsert is immutable: cannot assign {name!r}")

    def __reduce__(self) -> tuple[type[CommentUpsert], tuple[str | None, str, str, str | None, tuple[str, ...]]]:
        return CommentUpsert, self._fields()

    def __repr__(self) -> str:
        names = ("comment_id", "text", "text_hash", "current_hash", "duplicates")
        return "CommentUpsert(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True)) + ")"


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
