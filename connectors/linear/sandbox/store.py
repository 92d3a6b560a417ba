"""The sandbox's workspace: teams, workflow states, users, labels, issues, attachments, comments, customer needs.

Records are plain dicts keyed by their GraphQL field names (`identifier`, `createdAt`, ...), plus relation ids
(`teamId`, `stateId`, `labelIds`, ...), so graphql-core's default resolver reads scalars directly and the whole
workspace saves to JSON as is. Relations are resolved in `resolvers.py`.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Record = dict[str, Any]
STATE_VERSION = 1
_TABLES = ("teams", "states", "users", "labels", "issues", "attachments", "comments", "needs")


def now_iso() -> str:
    """A timestamp as Linear writes them: UTC, milliseconds, `Z`."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Workspace:
    """All sandbox data. Mutate only while holding `lock` (the HTTP server is threaded)."""

    teams: dict[str, Record] = field(default_factory=dict)
    states: dict[str, Record] = field(default_factory=dict)
    users: dict[str, Record] = field(default_factory=dict)
    labels: dict[str, Record] = field(default_factory=dict)
    issues: dict[str, Record] = field(default_factory=dict)
    attachments: dict[str, Record] = field(default_factory=dict)
    comments: dict[str, Record] = field(default_factory=dict)
    needs: dict[str, Record] = field(default_factory=dict)
    viewer_id: str = ""
    sync_id: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    version: int = field(default=0, repr=False, compare=False)
    """Bumped by every change made through the API (and by the `add_*` builders); not saved. Cached listings
    (`resolvers.page_of`) are valid only for the version they were made at."""
    listings: dict[tuple[Any, ...], tuple[int, Any]] = field(default_factory=dict, repr=False, compare=False)
    """Ordered results of root lists, for the next pages of the same listing: key -> (version, `Ordered`)."""

    def touch(self) -> None:
        """Record a change: listings ordered before it are stale."""
        self.version += 1

    # ----- building -----------------------------------------------------------------------------------------
    def add_user(self, name: str, *, viewer: bool = False) -> Record:
        handle = name.lower().replace(" ", ".")
        user: Record = {"id": new_id(), "name": name, "displayName": handle, "email": f"{handle}@example.com"}
        user.update(active=True, admin=viewer, createdAt=now_iso(), updatedAt=now_iso())
        self.users[user["id"]] = user
        self.touch()
        if viewer:
            self.viewer_id = user["id"]
        return user

    def add_team(
        self, key: str, name: str, *, estimation: str = "fibonacci", extended: bool = False, allow_zero: bool = False
    ) -> Record:
        stamp = now_iso()
        team: Record = {
            "id": new_id(),
            "key": key,
            "name": name,
            "issueEstimationType": estimation,
            "issueEstimationExtended": extended,
            "issueEstimationAllowZero": allow_zero,
            "defaultIssueEstimate": 1.0,
            "createdAt": stamp,
            "updatedAt": stamp,
            "issueCount": 0,
        }
        self.teams[team["id"]] = team
        self.touch()
        return team

    def add_state(self, team: Record, name: str, type_: str, position: float) -> Record:
        state: Record = {
            "id": new_id(),
            "name": name,
            "type": type_,
            "position": position,
            "teamId": team["id"],
            "color": "#bec2c8",
            "createdAt": now_iso(),
            "updatedAt": now_iso(),
        }
        self.states[state["id"]] = state
        self.touch()
        return state

    def add_label(
        self,
        name: str,
        *,
        parent: Record | None = None,
        is_group: bool = False,
        team: Record | None = None,
        color: str = "#5e6ad2",
    ) -> Record:
        label: Record = {
            "id": new_id(),
            "name": name,
            "color": color,
            "isGroup": is_group,
            "description": None,
            "parentId": parent["id"] if parent else None,
            "teamId": team["id"] if team else None,
            "createdAt": now_iso(),
            "updatedAt": now_iso(),
        }
        self.labels[label["id"]] = label
        self.touch()
        return label

    def add_issue(self, team: Record, title: str, state: Record, **fields: Any) -> Record:
        team["issueCount"] += 1
        number = team["issueCount"]
        stamp = fields.pop("createdAt", None) or now_iso()
        issue: Record = {
            "id": new_id(),
            "number": float(number),
            "identifier": f"{team['key']}-{number}",
            "title": title,
            "description": None,
            "priority": 0.0,
            "estimate": None,
            "createdAt": stamp,
            "updatedAt": stamp,
            "startedAt": None,
            "completedAt": None,
            "canceledAt": None,
            "archivedAt": None,
            "teamId": team["id"],
            "stateId": state["id"],
            "assigneeId": None,
            "parentId": None,
            "labelIds": [],
            "attachmentIds": [],
            "commentIds": [],
            "needIds": [],
        }
        issue.update(fields)
        issue["url"] = f"https://linear.app/sandbox/issue/{issue['identifier'].lower()}"
        self.issues[issue["id"]] = issue
        self.touch()
        return issue

    def add_need(self, issue: Record, *, important: bool = False) -> Record:
        need: Record = {
            "id": new_id(),
            "issueId": issue["id"],
            "priority": 1.0 if important else 0.0,
            "createdAt": now_iso(),
            "updatedAt": now_iso(),
        }
        self.needs[need["id"]] = need
        self.touch()
        issue["needIds"].append(need["id"])
        return need

    def next_sync_id(self) -> float:
        self.sync_id += 1
        return float(self.sync_id)

    # ----- lookups ------------------------------------------------------------------------------------------
    def team_by_key(self, key: str) -> Record:
        return next(t for t in self.teams.values() if t["key"] == key)

    def find_issue(self, ref: str) -> Record | None:
        """By UUID or identifier (`ENG-12`), as Linear's `issue(id:)` accepts both."""
        issue = self.issues.get(ref)
        if issue is not None:
            return issue
        return next((i for i in self.issues.values() if i["identifier"] == ref.upper()), None)

    # ----- persistence --------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        with self.lock:
            data: dict[str, Any] = {name: list(getattr(self, name).values()) for name in _TABLES}
            data.update(version=STATE_VERSION, viewerId=self.viewer_id, syncId=self.sync_id)
            copied: dict[str, Any] = json.loads(json.dumps(data))
            return copied

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Workspace:
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported sandbox state version {data.get('version')!r}")
        workspace = cls(viewer_id=data["viewerId"], sync_id=int(data.get("syncId", 0)))
        for name in _TABLES:
            # Copies, so two workspaces loaded from the same data never share (and mutate) a record.
            setattr(workspace, name, {r["id"]: copy.deepcopy(r) for r in data.get(name, [])})
        return workspace

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename), so an interrupted save never leaves half a state file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(self.to_json(), indent=1)
        fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Workspace:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
