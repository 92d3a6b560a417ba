"""Starting states for the sandbox: a synthetic project of N issues (tests, bench) or the demo backlog.

Both use the same fields, so one `[[trackers]]` entry fits either:
inputs Reach (number), Impact (select), Confidence (text), Story Points (number);
outputs RICE Score (number), Priority Rank (number), Priority Bucket (select: Now / Next / Later).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.jira.sandbox.state import Board, FieldDef, Issue, JiraState, Mode, Status, jira_time

REACH, IMPACT, CONFIDENCE, EFFORT = "customfield_10010", "customfield_10011", "customfield_10012", "customfield_10016"
SCORE, RANK, BUCKET = "customfield_10020", "customfield_10021", "customfield_10022"
IMPACT_OPTIONS = ["Minimal", "Low", "Medium", "High", "Massive"]
BUCKET_OPTIONS = ["Now", "Next", "Later"]
BOARD_ID = 7
EPOCH = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)

TRACKER_FIELDS = {
    "inputs": {"reach": "Reach", "impact": "Impact", "confidence": "Confidence", "effort": "Story Points"},
    "outputs": {"score": "RICE Score", "rank": "Priority Rank", "bucket": "Priority Bucket"},
}
"""The `[[trackers]]` inputs/outputs that match these seeds."""


def statuses() -> list[Status]:
    return [
        Status("10000", "Backlog", "new"),
        Status("10001", "Selected for Development", "new"),
        Status("3", "In Progress", "indeterminate"),
        Status("10002", "In Review", "indeterminate"),
        Status("10003", "Done", "done"),
    ]


def fields(mode: Mode, impact_options: list[str] | None = None) -> list[FieldDef]:
    system = [
        FieldDef("summary", "Summary", "string", custom=False),
        FieldDef("description", "Description", "string", custom=False),
        FieldDef("status", "Status", "status", custom=False, editable=False),
        FieldDef("assignee", "Assignee", "user", custom=False),
        FieldDef("created", "Created", "datetime", custom=False, editable=False),
        FieldDef("updated", "Updated", "datetime", custom=False, editable=False),
        FieldDef("labels", "Labels", "array", custom=False),
        FieldDef("issuetype", "Issue Type", "issuetype", custom=False),
        FieldDef("priority", "Priority", "priority", custom=False),
        FieldDef("comment", "Comment", "comments-page", custom=False),
    ]
    if mode == "cloud":
        system.append(FieldDef("statuscategorychangedate", "Status Category Changed", "datetime", False, [], False))
    return [
        *system,
        FieldDef(REACH, "Reach", "number"),
        FieldDef(IMPACT, "Impact", "option", options=list(impact_options or IMPACT_OPTIONS)),
        FieldDef(CONFIDENCE, "Confidence", "string"),
        FieldDef(EFFORT, "Story Points", "number"),
        FieldDef(SCORE, "RICE Score", "number"),
        FieldDef(RANK, "Priority Rank", "number"),
        FieldDef(BUCKET, "Priority Bucket", "option", options=list(BUCKET_OPTIONS)),
    ]


def board() -> Board:
    return Board(
        BOARD_ID,
        "ACME board",
        [
            {"name": "Backlog", "statuses": ["10000"]},
            {"name": "Selected for Development", "statuses": ["10001"]},
            {"name": "In Progress", "statuses": ["3"], "min": 1, "max": 10},
            {"name": "In Review", "statuses": ["10002"], "max": 6},
            {"name": "Done", "statuses": ["10003"]},
        ],
    )


def _history(status: str, moved: datetime) -> list[dict[str, Any]]:
    return [] if status == "10000" else [{"created": jira_time(moved), "from": "10000", "to": status}]


def synthetic(n: int, *, mode: Mode = "cloud", project: str = "ACME", seed: int = 1) -> JiraState:
    """N issues with every input filled, mostly in the backlog, some in progress, a few sub-tasks."""
    rng = random.Random(seed)
    state = JiraState(mode=mode, project=project, fields=fields(mode), statuses=statuses(), boards=[board()])
    weights = {"10000": 60, "10001": 15, "3": 12, "10002": 8, "10003": 5}
    for number in range(1, n + 1):
        created = EPOCH - timedelta(days=rng.randint(5, 200), minutes=rng.randint(0, 1440))
        status = rng.choices(list(weights), weights=list(weights.values()))[0]
        moved = created + timedelta(days=rng.randint(0, 4))
        state.issues.append(
            Issue(
                id=str(10_000 + number),
                key=f"{project}-{number}",
                summary=f"Synthetic issue {number}",
                status=status,
                created=jira_time(created),
                updated=jira_time(moved),
                status_changed=jira_time(moved),
                subtask=number % 20 == 0,
                issuetype="Sub-task" if number % 20 == 0 else "Story",
                assignee=rng.choice([None, "Ana", "Ben", "Chloe", "Dev"]),
                values={
                    REACH: rng.randint(10, 5000),
                    IMPACT: rng.choice(IMPACT_OPTIONS),
                    CONFIDENCE: rng.choice(["50%", "80%", "100%", "high", "low"]),
                    EFFORT: rng.choice([0.5, 1, 2, 3, 5, 8, 13]),
                },
                history=_history(status, moved),
            )
        )
    return state


_STATUS_BY_NAME = {s.name: s.id for s in statuses()}


def _option(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None


def from_demo_backlog(path: Path, *, mode: Mode = "cloud", project: str = "ACME") -> JiraState:
    """The demo backlog (local-tracker JSON) as a Jira project: DEMO-7 becomes ACME-7, fields become custom fields.

    Dates move like the local demo copy's (`shift_dates`), so ages in status read the same in both trackers.
    """
    from syncer.demo.workspace import shift_dates

    data = shift_dates(json.loads(path.read_text(encoding="utf-8")), datetime.now(UTC))
    records = data["issues"]
    impact = sorted({o for r in records if (o := _option(r["fields"].get("Impact"))) is not None})
    state = JiraState(mode=mode, project=project, fields=fields(mode, impact), statuses=statuses(), boards=[board()])
    for record in records:
        number = record["key"].rsplit("-", 1)[-1]
        status = _STATUS_BY_NAME.get(record["status"], "10000")
        entered = datetime.fromisoformat(record.get("status_entered") or record["created"])
        given = record.get("fields", {})
        confidence = given.get("Confidence")
        state.issues.append(
            Issue(
                id=str(record["id"]),
                key=f"{project}-{number}",
                summary=record["title"],
                status=status,
                created=jira_time(datetime.fromisoformat(record["created"])),
                updated=jira_time(datetime.fromisoformat(record["updated"])),
                status_changed=jira_time(entered),
                issuetype="Sub-task" if record.get("is_subtask") else "Story",
                subtask=bool(record.get("is_subtask")),
                assignee=record.get("assignee"),
                labels=list(record.get("labels") or []),
                values={
                    REACH: given.get("Reach"),
                    IMPACT: _option(given.get("Impact")),
                    CONFIDENCE: None if confidence is None else str(confidence),
                    EFFORT: given.get("Effort"),
                },
                history=_history(status, entered),
            )
        )
    return state
