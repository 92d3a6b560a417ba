"""The real pipeline against the Linear sandbox over HTTP: what is read, what is written, and what is not."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

from graphql import parse

from connectors.linear import queries
from connectors.linear.complexity import estimate_complexity
from connectors.linear.connector import PAGE_COMPLEXITY_TARGET
from connectors.linear.sandbox import Workspace, synthetic
from syncer.models import StatusCategory
from syncer.pipeline import run_sync
from syncer.settings import SyncSettings
from tests.linear.conftest import linear_settings

SETUP = {"SyncerTeams": 1, "SyncerLabels": 1}


def _in_scope(ws: Workspace, states: tuple[str, ...] = ("triage", "backlog", "unstarted", "started")) -> int:
    return sum(1 for i in ws.issues.values() if ws.states[i["stateId"]]["type"] in states)


def test_thousand_issues_sync_in_pages_plus_one_write_per_changed_issue(
    start_sandbox: Any, thousand_issues: dict[str, Any], tmp_path: Path
) -> None:
    ws = Workspace.from_json(thousand_issues)
    sandbox = start_sandbox(ws)
    settings = linear_settings(sandbox.url, tmp_path)
    report = run_sync(settings)
    run = report.trackers[0]
    assert run.error is None
    in_scope = _in_scope(ws)
    assert len(run.issues) == in_scope and in_scope > 800
    assert {i.team for i in run.issues} == {"ENG", "DES"}
    assert run.plan is not None and run.applied is not None
    changed = len(run.plan.writes)
    assert changed == sum(1 for r in run.results.values() if r.scored)
    # The configured page size, shrunk to keep a page under the complexity target (needs cost 25 each).
    size = next(c.variables["first"] for c in sandbox.app.charged if c.operation_name == "SyncerIssues")
    # No page_size configured: the largest page that stays under the target, not a fixed 100.
    variables = next(c.variables for c in sandbox.app.charged if c.operation_name == "SyncerIssues")
    assert size == 250 or estimate_complexity(parse(queries.ISSUES), {**variables, "first": size + 1}) > (
        PAGE_COMPLEXITY_TARGET
    )
    pages = math.ceil(in_scope / size)
    assert Counter(sandbox.operations) == {**SETUP, "SyncerIssues": pages, "SyncerUpsertAttachment": changed}
    assert len(sandbox.requests) == 2 + pages + changed
    assert all(r.status == 200 for r in sandbox.requests)
    assert run.applied.issues_written == changed and not run.applied.failures
    assert len(ws.attachments) == changed

    sandbox.reset_log()
    again = run_sync(settings).trackers[0]
    assert again.plan is not None and again.plan.writes == ()
    assert Counter(sandbox.operations) == {**SETUP, "SyncerIssues": pages}


def test_the_card_shows_the_score_and_keeps_the_exact_numbers(
    start_sandbox: Any, thousand_issues: dict[str, Any], tmp_path: Path
) -> None:
    ws = Workspace.from_json(thousand_issues)
    sandbox = start_sandbox(ws)
    run = run_sync(linear_settings(sandbox.url, tmp_path)).trackers[0]
    top = min((r for r in run.results.values() if r.scored), key=lambda r: r.rank or 0)
    issue = next(i for i in run.issues if i.ref == top.ref)
    (card,) = [ws.attachments[a] for a in ws.issues[issue.id]["attachmentIds"]]
    assert card["url"] == f"https://syncer.example.com/linear/{issue.id}"
    assert card["title"] == f"RICE {top.score:.2f} · rank 1 · Now"
    assert card["subtitle"] == top.breakdown.formula  # type: ignore[union-attr]
    assert card["metadata"]["score"] == top.score  # exact, not rounded
    assert (card["metadata"]["rank"], card["metadata"]["bucket"]) == (1, "Now")


def test_an_issue_missing_an_input_gets_a_card_saying_so_not_a_score(
    start_sandbox: Any, thousand_issues: dict[str, Any], tmp_path: Path
) -> None:
    ws = Workspace.from_json(thousand_issues)
    sandbox = start_sandbox(ws)
    settings = linear_settings(sandbox.url, tmp_path)
    run_sync(settings)
    # A person removes the estimate from a scored issue: its old score must not stay on the card.
    issue = next(i for i in ws.issues.values() if i["attachmentIds"] and i["estimate"])
    issue["estimate"] = None
    run = run_sync(settings).trackers[0]
    assert run.plan is not None
    (write,) = [w for w in run.plan.writes if w.issue_id == issue["id"]]
    card = ws.attachments[issue["attachmentIds"][0]]
    assert card["title"] == "Priority score: needs input (effort)"
    assert "score" not in card["metadata"] and "rank" not in card["metadata"]
    assert write.fields["score"] is None
    assert len(issue["attachmentIds"]) == 1  # updated in place, not a second card


def test_estimates_become_comparable_effort_per_team_scale(
    start_sandbox: Any, thousand_issues: dict[str, Any], tmp_path: Path
) -> None:
    ws = Workspace.from_json(thousand_issues)
    des = ws.team_by_key("DES")
    des["issueEstimationType"] = "exponential"
    step = {1.0: 1.0, 2.0: 2.0, 3.0: 4.0, 5.0: 8.0, 8.0: 16.0, 13.0: 32.0, 21.0: 64.0}
    points = {}
    for record in ws.issues.values():
        if record["teamId"] == des["id"] and record["estimate"] is not None:
            points[record["identifier"]] = record["estimate"]
            record["estimate"] = step[record["estimate"]]  # the same step on DES's exponential scale
    sandbox = start_sandbox(ws)
    run = run_sync(linear_settings(sandbox.url, tmp_path)).trackers[0]
    des_issues = [i for i in run.issues if i.key in points]
    assert len(des_issues) > 300
    # 16 on an exponential team is its fifth step: 8 points, as an 8 on a fibonacci team.
    assert all(i.inputs["effort"] == points[i.key] for i in des_issues)
    eng = [i for i in run.issues if i.team == "ENG" and i.inputs["effort"] is not None]
    assert all(i.inputs["effort"] == ws.find_issue(i.key)["estimate"] for i in eng)  # type: ignore[index]


def test_issues_carry_status_category_team_and_inputs_by_logical_name(
    start_sandbox: Any, thousand_issues: dict[str, Any], tmp_path: Path
) -> None:
    ws = Workspace.from_json(thousand_issues)
    sandbox = start_sandbox(ws)
    settings = linear_settings(sandbox.url, tmp_path, states=["backlog", "started", "completed", "canceled"])
    issues = run_sync(settings, dry_run=True).trackers[0].issues
    categories = Counter((i.status, i.status_category) for i in issues)
    assert set(categories) == {
        ("Backlog", StatusCategory.TODO),
        ("In Progress", StatusCategory.IN_PROGRESS),
        ("In Review", StatusCategory.IN_PROGRESS),
        ("Done", StatusCategory.DONE),
        ("Canceled", StatusCategory.DONE),
    }
    started = next(i for i in issues if i.status == "In Review")
    record = ws.find_issue(started.key)
    assert record is not None
    assert started.status_entered is not None and started.status_entered.isoformat()[:19] == record["startedAt"][:19]
    assert started.assignee is not None
    assert set(started.inputs) == {"reach", "impact", "confidence", "effort"}
    assert started.inputs["reach"] == len(record["needIds"])
    assert not ws.attachments  # dry run


def test_only_operations_from_the_validated_list_are_sent(
    start_sandbox: Any, thousand_issues: dict[str, Any], tmp_path: Path
) -> None:
    ws = Workspace.from_json(thousand_issues)
    sandbox = start_sandbox(ws)
    settings = linear_settings(
        sandbox.url,
        tmp_path,
        inputs={
            "reach": "customer_needs",
            "impact": "priority",
            "confidence": "label:Confidence",
            "effort": "estimate",
        },
        outputs={"attachment": True, "comment": True, "bucket_label_group": "Priority bucket"},
        page_size=250,
    )
    run_sync(settings)
    assert set(sandbox.operations) <= set(queries.OPERATIONS)
    assert all(r.status == 200 for r in sandbox.requests)


def test_unified_ranking_across_a_local_tracker_and_linear(
    start_sandbox: Any, backlog_path: Path, tmp_path: Path
) -> None:
    ws = synthetic(40)
    sandbox = start_sandbox(ws)
    linear = linear_settings(sandbox.url, tmp_path).trackers[0]
    local = {
        "name": "local",
        "kind": "local",
        "path": str(backlog_path),
        "inputs": {"reach": "Reach", "impact": "Impact", "confidence": "Confidence", "effort": "Effort"},
        "outputs": {"score": "RICE Score", "rank": "Priority Rank", "bucket": "Priority Bucket", "comment": False},
    }
    settings = SyncSettings(trackers=[local, linear], scoring={"scope": "all"}, workdir=tmp_path / "work")
    report = run_sync(settings)
    assert all(t.error is None for t in report.trackers)
    ranks = sorted(r.rank for r in report.results if r.rank is not None)
    assert ranks == list(range(1, len(ranks) + 1))  # one ranking, no rank used twice across trackers
    assert {r.ref.tracker for r in report.results if r.rank is not None and r.rank <= 10} == {"local", "product"}
    cards = [a["metadata"] for a in ws.attachments.values() if "rank" in a["metadata"]]
    assert max(c["rank"] for c in cards) > len(cards)  # Linear ranks count the local issues too


def test_customer_needs_beyond_the_inline_page_are_counted_with_a_follow_up(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(10)
    record = next(i for i in ws.issues.values() if ws.states[i["stateId"]]["type"] == "backlog")
    for _ in range(300 - len(record["needIds"])):
        ws.add_need(record)
    sandbox = start_sandbox(ws)
    issues = run_sync(linear_settings(sandbox.url, tmp_path), dry_run=True).trackers[0].issues
    (issue,) = [i for i in issues if i.id == record["id"]]
    assert issue.inputs["reach"] == 300
    assert sandbox.operations.count("SyncerIssueNeeds") == 2  # 25 inline, then pages of 250


def test_a_page_linear_refuses_as_too_complex_is_asked_again_smaller(start_sandbox: Any, tmp_path: Path) -> None:
    # Linear counts complexity on its own terms; here it counts more than the documented rule, so the page the
    # connector sized at its target is refused whole. The sync must still read every issue, not fail.
    ws = synthetic(400)
    sandbox = start_sandbox(ws, max_complexity=PAGE_COMPLEXITY_TARGET // 3)
    run = run_sync(linear_settings(sandbox.url, tmp_path)).trackers[0]

    assert run.error is None
    assert len(run.issues) == _in_scope(ws)
    asked = [c for c in sandbox.app.charged if c.operation_name == "SyncerIssues"]
    refused = [c for c in asked if c.complexity > PAGE_COMPLEXITY_TARGET // 3]
    assert refused  # the first, target-sized page was refused
    assert asked[-1].variables["first"] < asked[0].variables["first"]
    # Pages after the shrink stay small: one refusal per halving, not one per page.
    assert len(refused) <= math.ceil(math.log2(asked[0].variables["first"]))
