"""Bucket labels in an exclusive label group, and the worker's comment, over real HTTP against the sandbox."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from connectors.linear.sandbox import DEMO_API_KEY, Workspace, synthetic
from connectors.linear.sandbox.mutations import NOT_EXCLUSIVE
from connectors.sandbox_http import FaultConfig
from syncer.comments import find_marker
from syncer.pipeline import run_sync
from tests.linear.conftest import linear_settings

GROUP = "Priority bucket"


def _bucket_children(ws: Workspace, issue: dict[str, Any]) -> list[str]:
    group = next(lb for lb in ws.labels.values() if lb["isGroup"] and lb["name"] == GROUP)
    return [ws.labels[i]["name"] for i in issue["labelIds"] if ws.labels[i]["parentId"] == group["id"]]


def _others(ws: Workspace, issue: dict[str, Any]) -> list[str]:
    return sorted(i for i in issue["labelIds"] if ws.labels[i]["name"] not in ("Now", "Next", "Later"))


def test_the_sandbox_refuses_a_second_child_of_an_exclusive_group(start_sandbox: Any) -> None:
    ws = synthetic(3)
    sandbox = start_sandbox(ws)
    issue = next(iter(ws.issues.values()))
    impact = next(lb for lb in ws.labels.values() if lb["name"] == "Impact" and lb["isGroup"])
    other = next(
        lb for lb in ws.labels.values() if lb["parentId"] == impact["id"] and lb["id"] not in issue["labelIds"]
    )
    query = "mutation A($id: String!, $l: String!) { issueAddLabel(id: $id, labelId: $l) { success } }"
    answer = httpx.post(
        sandbox.url,
        json={"query": query, "variables": {"id": issue["id"], "l": other["id"]}},
        headers={"Authorization": DEMO_API_KEY},
    ).json()
    assert answer["errors"][0]["message"] == NOT_EXCLUSIVE
    assert answer["errors"][0]["extensions"]["code"] == "INPUT_ERROR"


def test_bucket_label_is_created_applied_and_swapped_within_its_group(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(60)
    sandbox = start_sandbox(ws)
    settings = linear_settings(
        sandbox.url, tmp_path, outputs={"attachment": True, "comment": False, "bucket_label_group": GROUP}
    )
    first = run_sync(settings).trackers[0]
    assert first.applied is not None and not first.applied.failures
    groups = [lb for lb in ws.labels.values() if lb["name"] == GROUP]
    assert len(groups) == 1 and groups[0]["isGroup"]
    assert Counter(sandbox.operations)["SyncerCreateLabel"] == 4  # the group, then Now, Next and Later
    scored = {r.ref.key: r for r in first.results.values() if r.scored}
    for key, result in scored.items():
        assert _bucket_children(ws, ws.find_issue(key)) == [result.bucket]  # type: ignore[arg-type]

    # The top issue loses its customer needs: it drops out of "Now"; its other labels must survive the swap.
    top = next(k for k, r in scored.items() if r.rank == 1)
    record = ws.find_issue(top)
    assert record is not None
    record["needIds"] = []
    before = _others(ws, record)
    sandbox.reset_log()
    second = run_sync(settings).trackers[0]
    assert second.applied is not None and not second.applied.failures
    moved = {r.ref.key: r.bucket for r in second.results.values() if r.scored and r.bucket != scored[r.ref.key].bucket}
    assert top in moved
    assert _bucket_children(ws, record) == [moved[top]]
    assert _others(ws, record) == before
    assert Counter(sandbox.operations)["SyncerSwapLabel"] == len(moved)
    assert "SyncerCreateLabel" not in sandbox.operations

    sandbox.reset_log()
    third = run_sync(settings).trackers[0]
    assert third.plan is not None and third.plan.writes == ()


def test_a_bucket_label_moved_by_a_person_is_put_back(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(30)
    sandbox = start_sandbox(ws)
    settings = linear_settings(
        sandbox.url, tmp_path, outputs={"attachment": False, "comment": False, "bucket_label_group": GROUP}
    )
    first = run_sync(settings).trackers[0]
    issue = next(ws.find_issue(r.ref.key) for r in first.results.values() if r.bucket == "Later")
    assert issue is not None
    now_label = next(lb for lb in ws.labels.values() if lb["name"] == "Now")
    later_label = next(lb for lb in ws.labels.values() if lb["name"] == "Later")
    issue["labelIds"] = [i for i in issue["labelIds"] if i != later_label["id"]] + [now_label["id"]]
    sandbox.reset_log()
    run_sync(settings)
    assert sandbox.operations.count("SyncerSwapLabel") == 1
    assert _bucket_children(ws, issue) == ["Later"]
    assert not ws.attachments  # attachment output is off: labels only


def test_comment_is_created_once_without_subscribing_then_edited_in_place(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(20)
    sandbox = start_sandbox(ws)
    settings = linear_settings(sandbox.url, tmp_path, outputs={"attachment": True, "comment": True})
    run_sync(settings)
    commented = [i for i in ws.issues.values() if i["commentIds"]]
    assert commented and all(len(i["commentIds"]) == 1 for i in commented)
    comment = ws.comments[commented[0]["commentIds"][0]]
    assert comment["subscribed"] is False  # created with doNotSubscribeToIssue
    assert find_marker(comment["body"])
    assert "<!-- syncer:comment" in comment["body"]

    sandbox.reset_log()
    run_sync(settings)
    assert "SyncerCreateComment" not in sandbox.operations and "SyncerUpdateComment" not in sandbox.operations

    record = commented[0]
    comment_id = record["commentIds"][0]
    before = ws.comments[comment_id]["body"]
    for _ in range(30):
        ws.add_need(record)
    sandbox.reset_log()
    run_sync(settings)
    assert "SyncerCreateComment" not in sandbox.operations
    assert sandbox.operations.count("SyncerUpdateComment") >= 1
    assert record["commentIds"] == [comment_id]
    assert ws.comments[comment_id]["editedAt"] is not None
    assert ws.comments[comment_id]["body"] != before


def test_a_comment_whose_answer_was_lost_is_not_posted_twice(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(30)
    sandbox = start_sandbox(ws)
    run_sync(linear_settings(sandbox.url, tmp_path))  # cards first, so the next run only creates comments
    # Linear creates the comment but the answer never arrives; the client retries the same create.
    sandbox.faults = FaultConfig(rate=0.3, seed=11, kinds=("drop_after",))
    settings = linear_settings(
        sandbox.url,
        tmp_path,
        outputs={"attachment": True, "comment": True},
        http={"write_concurrency": 1, "max_attempts": 8},
    )
    run = run_sync(settings).trackers[0]
    assert any(r.fault == "drop_after" for r in sandbox.requests)
    assert "SyncerComment" in sandbox.operations  # a refused retry was checked against the comment's id
    assert run.applied is not None and not run.applied.failures
    assert all(len(i["commentIds"]) == 1 for i in ws.issues.values() if i["commentIds"])
    sandbox.faults = FaultConfig()
    sandbox.reset_log()
    assert run_sync(settings).trackers[0].plan.writes == ()  # type: ignore[union-attr]


def test_lost_answers_while_creating_bucket_labels_leave_no_duplicates(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(30)
    sandbox = start_sandbox(ws, faults=FaultConfig(rate=0.25, seed=5, kinds=("drop_after",)))
    # One writer thread keeps the seeded fault sequence reproducible; 8 attempts make exhaustion negligible.
    settings = linear_settings(
        sandbox.url,
        tmp_path,
        outputs={"attachment": True, "comment": False, "bucket_label_group": GROUP},
        http={"write_concurrency": 1, "max_attempts": 8},
    )
    run = run_sync(settings).trackers[0]
    assert any(r.fault == "drop_after" for r in sandbox.requests)
    assert run.applied is not None and not run.applied.failures
    names = Counter(lb["name"] for lb in ws.labels.values() if lb["name"] in (GROUP, "Now", "Next", "Later"))
    assert set(names.values()) == {1}
    for result in run.results.values():
        if result.scored:
            assert _bucket_children(ws, ws.find_issue(result.ref.key)) == [result.bucket]  # type: ignore[arg-type]
