"""A 1,000-issue Jira Cloud project synced through the real pipeline, over HTTP, against the sandbox."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from connectors.jira.adf import find_marker
from connectors.jira.sandbox import seed
from connectors.jira.sandbox.state import JiraState
from connectors.sandbox_http import SandboxRequest, SandboxResponse
from syncer.models import StatusCategory
from syncer.pipeline import run_sync

from .conftest import calls, jira_settings, writes

PAGE_CAP = 100  # the sandbox, like Jira Cloud, returns fewer issues than asked when many fields are requested


def test_thousand_issues_cost_pages_plus_one_put_per_changed_issue_and_second_run_writes_nothing(
    serve, thousand_cloud: dict[str, Any]
) -> None:
    sandbox, server = serve(JiraState.from_json(thousand_cloud), page_cap=PAGE_CAP)
    bodies: list[dict[str, Any]] = []
    app = server.app

    def recording(request: SandboxRequest) -> SandboxResponse:
        if request.path.endswith("/search/jql"):
            bodies.append(request.json())
        return app(request)

    server.app = recording
    settings = jira_settings(server.url, page_size=250, board_id=seed.BOARD_ID)

    report = run_sync(settings)

    run = report.trackers[0]
    assert run.error is None
    in_scope = [i for i in sandbox.state.issues if sandbox.state.status(i.status).category != "done"]
    assert len(run.issues) == len(in_scope) > 900
    assert run.plan is not None and run.applied is not None
    field_writes = sum(1 for w in run.plan.writes if w.fields)
    comment_only = sum(1 for w in run.plan.writes if not w.fields and w.comment)
    pages = math.ceil(len(in_scope) / PAGE_CAP)
    expected = Counter(
        {
            "GET serverInfo": 1,  # deployment not configured: detected once
            "GET field": 1,
            "POST search/jql": pages,
            "GET /rest/agile/1.0/board/7/configuration": 1,
            "GET status": 1,
            "PUT issue": field_writes,
            "POST issue/comment": run.plan.comment_count,
            "PUT issue/properties/{id}": comment_only,
        }
    )
    assert calls(server) == +expected  # unary + drops kinds expected zero times
    assert run.applied.failures == ()
    assert run.applied.comments_written == len(in_scope)
    # Exactly the fields needed, never *all; the worker's entity property rides along with each page.
    assert all("*all" not in b["fields"] and b["properties"] == ["syncer.comment"] for b in bodies)
    assert all(b["maxResults"] == 250 for b in bodies)

    server.reset_log()
    again = run_sync(settings)

    assert writes(server) == []
    assert again.trackers[0].plan is not None and again.trackers[0].plan.writes == ()
    assert sum(n for k, n in calls(server).items() if "search" in k) == pages


def test_written_values_and_one_marked_comment_per_issue(serve) -> None:
    sandbox, server = serve(seed.synthetic(60, mode="cloud"))
    settings = jira_settings(server.url, deployment="cloud")

    report = run_sync(settings)

    results = {ref.key: r for ref, r in report.trackers[0].results.items()}
    for issue in sandbox.state.issues:
        if issue.key not in results:
            continue  # Done: outside the JQL
        result = results[issue.key]
        assert issue.values[seed.SCORE] == result.score  # unrounded
        assert issue.values[seed.RANK] == result.rank
        assert issue.values[seed.BUCKET] == result.bucket
        ours = [c for c in issue.comments if find_marker(c.body)]
        assert len(ours) == 1
        assert issue.properties["syncer.comment"] == {"id": ours[0].id, "hash": find_marker(ours[0].body)}
        assert ours[0].body["type"] == "doc"  # ADF on REST v3


def test_changed_input_rewrites_that_issue_in_place(serve) -> None:
    sandbox, server = serve(seed.synthetic(30, mode="cloud"))
    settings = jira_settings(server.url, deployment="cloud", outputs={"score": "RICE Score", "comment": True})
    first = run_sync(settings)
    top = next(ref.key for ref, r in first.trackers[0].results.items() if r.rank == 1)
    target = next(i for i in sandbox.state.issues if i.key == top)  # stays first: no other rank moves
    comment_id = target.properties["syncer.comment"]["id"]
    target.values[seed.REACH] = target.values[seed.REACH] * 10
    server.reset_log()

    run_sync(settings)

    assert [(r.method, r.path.rsplit("/", 2)[-2:]) for r in writes(server)] == [
        ("PUT", ["comment", comment_id]),  # edited in place, not a second comment
        ("PUT", ["issue", target.key]),
    ]
    assert len(target.comments) == 1
    assert target.properties["syncer.comment"]["id"] == comment_id


def test_status_category_and_time_in_status_come_from_cloud_fields(serve) -> None:
    sandbox, server = serve(seed.synthetic(40, mode="cloud"))
    report = run_sync(jira_settings(server.url, jql="project = ACME"))

    by_key = {i.key: i for i in report.trackers[0].issues}
    for stored in sandbox.state.issues:
        issue = by_key[stored.key]
        category = sandbox.state.status(stored.status).category
        assert (
            issue.status_category
            is {
                "new": StatusCategory.TODO,
                "indeterminate": StatusCategory.IN_PROGRESS,
                "done": StatusCategory.DONE,
            }[category]
        )
        assert issue.status_entered is not None
        assert issue.status_entered.strftime("%Y-%m-%dT%H:%M") == stored.status_changed[:16]
        assert issue.is_subtask == stored.subtask


def test_a_worker_comment_deleted_by_hand_is_recreated_when_its_text_next_changes(serve) -> None:
    sandbox, server = serve(seed.synthetic(30, mode="cloud"))
    settings = jira_settings(server.url, deployment="cloud")
    first = run_sync(settings)
    top = next(ref.key for ref, r in first.trackers[0].results.items() if r.rank == 1)
    target = next(i for i in sandbox.state.issues if i.key == top)
    old_id = target.properties["syncer.comment"]["id"]
    target.comments.clear()  # someone deleted it
    target.values[seed.REACH] = target.values[seed.REACH] * 10

    report = run_sync(settings)

    assert report.trackers[0].applied is not None and report.trackers[0].applied.failures == ()
    (comment,) = target.comments
    assert comment.id != old_id and target.properties["syncer.comment"]["id"] == comment.id
