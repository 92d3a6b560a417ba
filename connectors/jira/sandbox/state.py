"""The sandbox's Jira instance as plain data: fields, statuses, issues, comments, properties, boards, users.

Kept in one JSON file between runs (`syncer demo` keeps it in `.demo/`) so that a second sync sees what the
first one wrote. Timestamps are stored as Jira prints them (`2024-05-01T10:22:33.123+0000`).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

Mode = Literal["cloud", "datacenter"]
CATEGORY_NAMES = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}
CATEGORY_IDS = {"new": 2, "indeterminate": 4, "done": 3}


def jira_time(when: datetime | None = None) -> str:
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


@dataclass
class FieldDef:
    id: str
    name: str
    type: str
    """number | option | string | array | user | datetime | issuetype | status ..."""
    custom: bool = True
    options: list[str] = field(default_factory=list)
    """For select fields: the option values that exist."""
    editable: bool = True
    """On the edit screen; False answers like a field missing from the screen."""
    off_screen: list[str] = field(default_factory=list)
    """Issue types whose edit screen lacks the field (a screen scheme that differs per issue type)."""

    def on_screen(self, issuetype: str) -> bool:
        return self.editable and issuetype not in self.off_screen

    custom_type: str = ""
    """The custom field type's last key part (`textarea`, `textfield`, ...); "" when it does not matter."""

    def option_id(self, value: str) -> str:
        return str(10_000 + self.options.index(value))


@dataclass
class Status:
    id: str
    name: str
    category: str
    """Status category key: new | indeterminate | done."""


@dataclass
class Comment:
    id: str
    author: str
    body: Any
    """As posted: an ADF document (v3) or a wiki string (v2)."""
    created: str
    updated: str


@dataclass
class Issue:
    id: str
    key: str
    summary: str
    status: str
    """Status id."""
    created: str
    updated: str
    status_changed: str
    """When the status category last changed (Cloud's statuscategorychangedate)."""
    issuetype: str = "Story"
    subtask: bool = False
    priority: str = "Medium"
    description: Any = None
    """As last written: an ADF document (v3) or a wiki string (v2)."""
    assignee: str | None = None
    labels: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    """Custom field id -> value (a number, an option's value, a string)."""
    history: list[dict[str, Any]] = field(default_factory=list)
    """Status changes: {"created", "from", "to"} with status ids, oldest first."""
    comments: list[Comment] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class Board:
    id: int
    name: str
    columns: list[dict[str, Any]]
    """{"name", "statuses": [status ids], optional "min"/"max"}."""
    constraint: str = "issueCount"


@dataclass
class Account:
    email: str
    token: str
    display_name: str = "Syncer Bot"
    admin: bool = False
    """Administer Projects: without it Jira ignores notifyUsers=false and e-mails watchers anyway."""
    denied: list[str] = field(default_factory=list)
    """Project permissions the account lacks (EDIT_ISSUES, ADD_COMMENTS, ...): Jira answers 403 to those writes."""


@dataclass
class JiraState:
    mode: Mode = "cloud"
    project: str = "ACME"
    fields: list[FieldDef] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    boards: list[Board] = field(default_factory=list)
    account: Account = field(default_factory=lambda: Account("bot@acme.test", "demo-token"))
    next_comment_id: int = 100_000
    notifications: int = 0
    """Watcher e-mails Jira would have sent (edits with notifications on, every new comment)."""

    def field(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def status(self, status_id: str) -> Status:
        return next(s for s in self.statuses if s.id == status_id)

    def issue(self, id_or_key: str) -> Issue | None:
        # An index, not a scan: every edit and comment looks its issue up, so a scan made a sync quadratic.
        # Issues are only ever appended (never removed or re-keyed), so a length change is the only staleness.
        index: dict[str, Issue] | None = getattr(self, "_by_id_or_key", None)
        if index is None or getattr(self, "_indexed", -1) != len(self.issues):
            index = {i.key: i for i in self.issues}
            index.update((i.id, i) for i in self.issues)
            self._by_id_or_key, self._indexed = index, len(self.issues)
        return index.get(id_or_key)

    def board(self, board_id: int) -> Board | None:
        return next((b for b in self.boards if b.id == board_id), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JiraState:
        data = copy.deepcopy(data)  # two sandboxes seeded from one dict must not share issue values
        issues = [
            Issue(**{**i, "comments": [Comment(**c) for c in i.get("comments", [])]}) for i in data.get("issues", [])
        ]
        return cls(
            mode=data.get("mode", "cloud"),
            project=data.get("project", "ACME"),
            fields=[FieldDef(**f) for f in data.get("fields", [])],
            statuses=[Status(**s) for s in data.get("statuses", [])],
            issues=issues,
            boards=[Board(**b) for b in data.get("boards", [])],
            account=Account(**data["account"]) if "account" in data else Account("bot@acme.test", "demo-token"),
            next_comment_id=int(data.get("next_comment_id", 100_000)),
            notifications=int(data.get("notifications", 0)),
        )

    def save(self, path: Path) -> None:
        """Atomic write: a crash mid-save leaves the previous state, never half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.to_json(), fh, indent=1)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> JiraState:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
