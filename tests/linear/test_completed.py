"""Completed issues for the report's flow metrics, read from the Linear sandbox over HTTP through the real pipeline:
one more query (`completedAt: {gt}` in the configured teams, archived issues included), pages of 250, never
scored or written to."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.linear.sandbox import Workspace, synthetic
from syncer.pipeline import run_sync
from tests.linear.conftest import linear_settings

SETUP = {"SyncerTeams": 1, "SyncerLabels": 1}


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _workspace() -> tuple[Workspace, set[str]]:
    """ENG and DES (configured) and OPS (not): 300 ENG/DES issues completed within 80 days (a few archived), 20
    completed 200 days ago, 10 canceled recently, and OPS completions: only the 300 count."""
    ws = synthetic(600, teams=("ENG", "DES", "OPS"))
    now = datetime.now(UTC)

    def state(team_id: str, kind: str) -> str:
        return next(s["id"] for s in ws.states.values() if s["teamId"] == team_id and s["type"] == kind)

    ops = ws.team_by_key("OPS")["id"]
    recent: set[str] = set()
    mine = [i for i in ws.issues.values() if i["teamId"] != ops]
    for issue in ws.issues.values():
        if issue["completedAt"]:
            issue["completedAt"], issue["stateId"] = None, state(issue["teamId"], "backlog")
    for n, issue in enumerate(mine[:330]):
        done = now - timedelta(days=200 if 300 <= n < 320 else n % 80, hours=1)
        if n >= 320:
            issue["stateId"], issue["canceledAt"] = state(issue["teamId"], "canceled"), _iso(done)
            continue
        issue["stateId"] = state(issue["teamId"], "completed")
        issue["startedAt"], issue["completedAt"] = _iso(done - timedelta(days=2)), _iso(done)
        issue["createdAt"] = _iso(done - timedelta(days=6))
        issue["archivedAt"] = _iso(now) if n % 50 == 0 else None  # auto-archived: still finished work
        if n < 300:
            recent.add(issue["identifier"])
    for issue in [i for i in ws.issues.values() if i["teamId"] == ops][:5]:
        issue["stateId"], issue["completedAt"] = state(ops, "completed"), _iso(now - timedelta(days=1))
    return ws, recent


def test_completed_issues_cost_their_own_pages_and_are_never_written(start_sandbox: Any, tmp_path: Path) -> None:
    ws, recent = _workspace()
    sandbox = start_sandbox(ws)
    settings = linear_settings(sandbox.url, tmp_path)

    report = run_sync(settings, completed_since=datetime.now(UTC) - timedelta(days=90))

    run = report.trackers[0]
    assert run.error is None and run.completed_error is None and run.completed is not None
    assert {c.key for c in run.completed} == recent
    assert {c.team for c in run.completed} == {"ENG", "DES"}
    assert all(c.started is not None and c.completed - c.started == timedelta(days=2) for c in run.completed)
    # One query of its own, pages of 250, nothing else added; and nothing written to a completed issue.
    completed_pages = math.ceil(len(recent) / 250)
    ops = Counter(sandbox.operations)
    assert ops["SyncerCompleted"] == completed_pages == 2
    assert ops - Counter({"SyncerCompleted": completed_pages}) == Counter(
        {**SETUP, "SyncerIssues": ops["SyncerIssues"], "SyncerUpsertAttachment": ops["SyncerUpsertAttachment"]}
    )
    ids = {ws.find_issue(key)["id"] for key in recent}  # type: ignore[index]
    assert not {ref.key for ref in run.results} & recent
    assert run.plan is not None and run.plan.writes and not {w.issue_id for w in run.plan.writes} & ids
    assert all(not ws.issues[i]["attachmentIds"] for i in ids)
    filters = [c.variables["filter"] for c in sandbox.app.charged if c.operation_name == "SyncerCompleted"]
    assert all(set(f) == {"completedAt", "team"} and set(f["completedAt"]) == {"gt"} for f in filters)


def test_without_a_report_no_completed_query_is_sent(start_sandbox: Any, tmp_path: Path) -> None:
    ws, _recent = _workspace()
    sandbox = start_sandbox(ws)

    report = run_sync(linear_settings(sandbox.url, tmp_path))

    assert report.trackers[0].completed is None
    assert "SyncerCompleted" not in sandbox.operations
