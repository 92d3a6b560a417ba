"""A Jira Data Center project: Bearer PAT, REST v2, startAt/total paging, wiki comments, changelog aging."""

from __future__ import annotations

import math
from collections import Counter

from connectors.jira.adf import find_marker
from connectors.jira.sandbox import seed
from connectors.jira.sandbox.state import JiraState
from syncer.pipeline import run_sync

from .conftest import calls, jira_settings, writes

DC_CAP = 40  # the instance's jira.search.views.default.max: fewer than the 100 the connector asks for


def _dc(n: int) -> JiraState:
    return seed.synthetic(n, mode="datacenter", seed=3)


def test_datacenter_project_syncs_with_offset_pages_and_then_writes_nothing(serve) -> None:
    sandbox, server = serve(_dc(300), dc_max_results=DC_CAP)
    settings = jira_settings(server.url, deployment="datacenter", email=None, board_id=seed.BOARD_ID)

    report = run_sync(settings)

    run = report.trackers[0]
    assert run.error is None and run.plan is not None and run.applied is not None
    in_scope = [i for i in sandbox.state.issues if sandbox.state.status(i.status).category != "done"]
    assert len(run.issues) == len(in_scope)
    assert sorted(i.key for i in run.issues) == sorted(i.key for i in in_scope)  # no page skipped or repeated
    assert calls(server) == +Counter(
        {
            "GET field": 1,  # deployment configured: no serverInfo
            "GET search": math.ceil(len(in_scope) / DC_CAP),
            "GET /rest/agile/1.0/board/7/configuration": 1,
            "GET status": 1,
            "PUT issue": sum(1 for w in run.plan.writes if w.fields),
            "POST issue/comment": run.plan.comment_count,
            "PUT issue/properties/{id}": sum(1 for w in run.plan.writes if not w.fields and w.comment),
        }
    )
    assert all(r.path.startswith(("/rest/api/2/", "/rest/agile/")) for r in server.requests)
    assert run.applied.failures == ()
    for issue in in_scope:
        (comment,) = issue.comments
        assert isinstance(comment.body, str)  # wiki markup on v2
        assert issue.properties["syncer.comment"] == {"id": comment.id, "hash": find_marker(comment.body)}

    server.reset_log()
    run_sync(settings)
    assert writes(server) == []


def test_deployment_detected_from_server_info_when_not_configured(serve) -> None:
    _sandbox, server = serve(_dc(20))
    report = run_sync(jira_settings(server.url, email=None))  # no e-mail: a PAT, sent as Bearer

    assert report.trackers[0].error is None
    assert [r.path for r in server.requests[:2]] == ["/rest/api/2/serverInfo", "/rest/api/2/field"]
    assert not any("/rest/api/3/" in r.path for r in server.requests)


def test_time_in_status_comes_from_the_changelog(serve) -> None:
    sandbox, server = serve(_dc(40))
    report = run_sync(jira_settings(server.url, deployment="datacenter", email=None, jql="project = ACME"))

    by_key = {i.key: i for i in report.trackers[0].issues}
    moved = [i for i in sandbox.state.issues if i.history]
    assert moved
    for stored in moved:
        entered = by_key[stored.key].status_entered
        assert entered is not None
        assert entered.strftime("%Y-%m-%dT%H:%M") == stored.history[-1]["created"][:16]
    never_moved = next(i for i in sandbox.state.issues if not i.history)
    assert by_key[never_moved.key].status_entered == by_key[never_moved.key].created
