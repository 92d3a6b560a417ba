"""Sandbox workspaces: N synthetic issues across teams, or the demo backlog mapped into Linear idioms.

Linear has no custom fields, so the demo backlog's inputs become what a Linear team would use:
- Reach: a line `Reach: N` in a fenced ```syncer block of the description (input spec "description:Reach");
- Impact and Confidence: exclusive label groups "Impact" and "Confidence" (specs "label:Impact", ...),
  one child label per distinct value (so an unreadable value such as "huge" stays unreadable);
- Effort: the issue estimate on the team's scale (spec "estimate"); the connector maps it back to comparable
  points, so the synced effort equals the backlog's (0.5 is not on any Linear scale and becomes 1);
- status: a workflow state of the same name; subtasks get the previous issue of their team as parent.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.linear.sandbox.store import Record, Workspace, iso

STATES = (
    ("Triage", "triage"),
    ("Backlog", "backlog"),
    ("Todo", "unstarted"),
    ("In Progress", "started"),
    ("In Review", "started"),
    ("Done", "completed"),
    ("Canceled", "canceled"),
    ("Duplicate", "duplicate"),
)
DEMO_STATES = (
    ("Backlog", "backlog"),
    ("Selected for Development", "unstarted"),
    ("In Progress", "started"),
    ("In Review", "started"),
    ("Done", "completed"),
    ("Canceled", "canceled"),
)
IMPACT = ("Massive", "High", "Medium", "Low", "Minimal")
CONFIDENCE = ("High", "Medium", "Low")
TEAM_SCALES = {"ENG": "fibonacci", "DES": "tShirt", "DATA": "exponential"}
_WORDS = ("Cache", "Export", "Sync", "Audit", "Search", "Invite", "Billing", "Webhook", "Onboarding", "Report")
_THINGS = ("settings", "dashboard", "API", "import wizard", "permissions", "notifications", "timeline")
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# Linear's estimate scales (linear.app/docs/estimates as quoted in shared/reference/linear.md), kept here
# rather than borrowed from the connector: the sandbox must not share the code it is meant to check.
SCALES: dict[str, tuple[float, ...]] = {
    "exponential": (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0),
    "fibonacci": (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0),
    "linear": (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0),
    "tShirt": (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0),
}
_POINTS = SCALES["fibonacci"]


def team_estimates(team: Record) -> tuple[float, ...]:
    """The estimates a person can pick on `team` (5 steps, 7 when extended, 0 first when allowed)."""
    scale = SCALES.get(str(team.get("issueEstimationType")))
    if scale is None:
        return ()
    steps = scale[: 7 if team.get("issueEstimationExtended") else 5]
    return ((0.0,) if team.get("issueEstimationAllowZero") else ()) + steps


def estimate_for(team: Record, points: float | None) -> float | None:
    """The estimate a person on `team` would pick for `points` of effort on the Fibonacci scale: the k-th step
    of the team's scale for the k-th Fibonacci point, interpolated between steps, proportional past the last."""
    scale = SCALES.get(str(team.get("issueEstimationType")))
    if points is None or scale is None or points <= 0:
        return None if points is None else float(points)
    if points <= _POINTS[0]:
        return round(points * scale[0] / _POINTS[0], 6)
    for step in range(1, len(scale)):
        p0, p1, s0, s1 = _POINTS[step - 1], _POINTS[step], scale[step - 1], scale[step]
        if points <= p1:
            return round(s0 + (points - p0) * (s1 - s0) / (p1 - p0), 6)
    return round(points * scale[-1] / _POINTS[-1], 6)


def _team_with_states(
    ws: Workspace, key: str, states: tuple[tuple[str, str], ...], *, allow_zero: bool
) -> dict[str, Record]:
    scale = TEAM_SCALES.get(key, "fibonacci")
    team = ws.add_team(key, f"{key} team", estimation=scale, extended=True, allow_zero=allow_zero)
    return {name: ws.add_state(team, name, type_, float(i)) for i, (name, type_) in enumerate(states)}


def _group(ws: Workspace, name: str, options: tuple[str, ...]) -> dict[str, Record]:
    group = ws.add_label(name, is_group=True)
    return {option: ws.add_label(option, parent=group) for option in options}


def synthetic(count: int, *, teams: tuple[str, ...] = ("ENG", "DES"), seed: int = 0) -> Workspace:
    """`count` issues spread over `teams`, with estimates on each team's scale, Impact/Confidence label groups,
    customer needs (0-12 each) and a few issues missing an input. Deterministic for a given seed."""
    rng = random.Random(seed)
    ws = Workspace()
    ws.add_user("Syncer Bot", viewer=True)
    people = [ws.add_user(n) for n in ("Ana Silva", "Ben Okafor", "Chloe Martin", "Dev Patel")]
    states = {key: _team_with_states(ws, key, STATES, allow_zero=False) for key in teams}
    impact, confidence = _group(ws, "Impact", IMPACT), _group(ws, "Confidence", CONFIDENCE)
    plain = [ws.add_label(n) for n in ("bug", "feature", "customer")]
    weights = (5, 40, 25, 12, 6, 8, 3, 1)
    for n in range(count):
        key = teams[n % len(teams)]
        team = ws.team_by_key(key)
        name, kind = rng.choices(STATES, weights=weights)[0]
        created = EPOCH + timedelta(minutes=7 * n)
        labels = [rng.choice(plain)["id"]] if rng.random() < 0.5 else []
        if rng.random() > 0.03:
            labels.append(impact[rng.choice(IMPACT)]["id"])
        labels.append(confidence[rng.choice(CONFIDENCE)]["id"])
        fields: dict[str, Any] = {
            "createdAt": iso(created),
            "priority": float(rng.randint(0, 4)),
            "estimate": rng.choice(team_estimates(team)) if rng.random() > 0.03 else None,
            "labelIds": labels,
            "assigneeId": rng.choice(people)["id"] if kind == "started" else None,
            "startedAt": iso(created + timedelta(days=2)) if kind in ("started", "completed") else None,
            "completedAt": iso(created + timedelta(days=9)) if kind == "completed" else None,
            "canceledAt": iso(created + timedelta(days=3)) if kind in ("canceled", "duplicate") else None,
        }
        title = f"{rng.choice(_WORDS)} {rng.choice(_THINGS)} #{n + 1}"
        issue = ws.add_issue(team, title, states[key][name], **fields)
        for _ in range(rng.randint(0, 12)):
            ws.add_need(issue, important=rng.random() < 0.2)
    return ws


def _value_label(ws: Workspace, groups: dict[str, Record], group: str, value: Any) -> str | None:
    """The child of label group `group` named after `value` (created on first use; names compared case-blind)."""
    if value is None:
        return None
    name = (f"{value:g}" if isinstance(value, float) else str(value)).strip()
    parent = groups.get(group) or groups.setdefault(group, ws.add_label(group, is_group=True))
    for label in ws.labels.values():
        if label["parentId"] == parent["id"] and label["name"].casefold() == name.casefold():
            return str(label["id"])
    return str(ws.add_label(name, parent=parent)["id"])


def _started(item: dict[str, Any], entered: str, category: str | None) -> str | None:
    """Linear's `startedAt`: when an in-progress issue entered progress, or a done one's recorded start."""
    if category == "in_progress":
        return iso(datetime.fromisoformat(entered))
    if category == "done" and item.get("started"):
        return iso(datetime.fromisoformat(item["started"]))
    return None


def demo_backlog(path: Path) -> Workspace:
    """The shipped demo backlog (local-tracker JSON) as a Linear workspace; see the module docstring.

    Dates move like the local demo copy's (`shift_dates`), so ages in status read the same in every tracker.
    """
    from syncer.demo.workspace import shift_dates

    data = shift_dates(json.loads(path.read_text(encoding="utf-8")), datetime.now(UTC))
    ws = Workspace()
    ws.add_user("Syncer Bot", viewer=True)
    users: dict[str, Record] = {}
    teams: dict[str, dict[str, Record]] = {}
    groups: dict[str, Record] = {}
    plain: dict[str, Record] = {}
    last_parent: dict[str, str] = {}
    for item in data["issues"]:
        key = item.get("team") or "ENG"
        if key not in teams:
            teams[key] = _team_with_states(ws, key, DEMO_STATES, allow_zero=True)
        team = ws.team_by_key(key)
        state = teams[key].get(item["status"]) or teams[key]["Backlog"]
        fields = item.get("fields", {})
        labels = [plain.setdefault(n, ws.add_label(n))["id"] for n in item.get("labels", [])]
        labels += [i for g in ("Impact", "Confidence") if (i := _value_label(ws, groups, g, fields.get(g)))]
        assignee = item.get("assignee")
        if assignee and assignee not in users:
            users[assignee] = ws.add_user(assignee)
        effort = fields.get("Effort")
        reach = fields.get("Reach")
        entered = item.get("status_entered") or item["created"]
        category = item.get("status_category")
        record = ws.add_issue(
            team,
            item["title"],
            state,
            createdAt=iso(datetime.fromisoformat(item["created"])),
            description=(f"```syncer\nReach: {reach}\n```" if reach is not None else None),
            estimate=estimate_for(team, max(float(effort), 1.0) if effort else effort),
            labelIds=labels,
            assigneeId=users[assignee]["id"] if assignee else None,
            parentId=last_parent.get(key) if item.get("is_subtask") else None,
            startedAt=_started(item, entered, category),
            completedAt=iso(datetime.fromisoformat(entered)) if category == "done" else None,
        )
        record["updatedAt"] = iso(datetime.fromisoformat(item.get("updated") or item["created"]))
        if not item.get("is_subtask"):
            last_parent[key] = record["id"]
    return ws
