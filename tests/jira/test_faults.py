"""Injected faults (429 with Retry-After, 503, 500, delays, dropped connections before and after the write):
the final state equals a fault-free run's, and no issue ever gets a second worker comment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.jira.adf import find_marker, plain_text
from connectors.jira.sandbox import seed
from connectors.jira.sandbox.state import JiraState
from connectors.sandbox_http import FAULT_KINDS, FaultConfig
from syncer.pipeline import run_sync

from .conftest import jira_settings, writes

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def outcome(state: JiraState) -> dict[str, Any]:
    """What a user sees per issue: owned values, the worker's comments' text, the recorded hash."""
    seen = {}
    for issue in state.issues:
        ours = [plain_text(c.body) for c in issue.comments if find_marker(c.body)]
        recorded = issue.properties.get("syncer.comment", {}).get("hash")
        seen[issue.key] = (
            issue.values.get(seed.SCORE),
            issue.values.get(seed.RANK),
            issue.values.get(seed.BUCKET),
            ours,
            recorded,
        )
    return seen


def test_twenty_percent_faults_end_in_the_fault_free_state_without_duplicate_comments(serve) -> None:
    start = seed.synthetic(400, mode="cloud", seed=11).to_json()
    calm, calm_server = serve(JiraState.from_json(start))
    faults = FaultConfig(rate=0.2, seed=5, kinds=FAULT_KINDS, retry_after=0.02, delay=0.02)
    stormy, stormy_server = serve(JiraState.from_json(start), faults=faults)

    run_sync(jira_settings(calm_server.url), now=NOW)
    report = run_sync(jira_settings(stormy_server.url), now=NOW)

    assert report.trackers[0].error is None
    assert report.trackers[0].applied is not None and report.trackers[0].applied.failures == ()
    injected = {r.fault for r in stormy_server.requests if r.fault}
    assert injected == set(FAULT_KINDS)
    assert sum(1 for r in writes(stormy_server) if r.fault == "drop_after" and r.path.endswith("/comment")) > 0
    assert outcome(stormy.state) == outcome(calm.state)
    assert all(len(v[3]) == 1 for k, v in outcome(stormy.state).items() if v[0] is not None)

    stormy_server.faults = FaultConfig()
    stormy_server.reset_log()
    run_sync(jira_settings(stormy_server.url), now=NOW)
    assert writes(stormy_server) == []


def test_comment_create_whose_answer_is_lost_is_found_again_not_posted_twice(serve) -> None:
    sandbox, server = serve(seed.synthetic(12, mode="cloud"))
    # Every write is applied and then its connection dropped: the worker never hears that it succeeded.
    server.faults = FaultConfig(rate=1.0, kinds=("drop_after",), only=r"^(POST|PUT) .*/issue/")
    settings = jira_settings(server.url, deployment="cloud", http={"max_attempts": 3})

    report = run_sync(settings)

    in_scope = [i for i in sandbox.state.issues if i.key in {x.key for x in report.trackers[0].issues}]
    posts = [r for r in server.requests if r.method == "POST" and r.path.endswith("/comment")]
    lookups = [r for r in server.requests if r.method == "GET" and r.path.endswith("/comment")]
    assert len(posts) == len(in_scope)  # one POST per issue: the retry looked before posting again
    assert len(lookups) >= len(in_scope)
    assert all(len(i.comments) == 1 for i in in_scope)
    applied = report.trackers[0].applied
    assert applied is not None and {f.ref.key for f in applied.failures} == {i.key for i in in_scope}

    server.faults = FaultConfig()
    server.reset_log()
    run_sync(settings)

    assert writes(server) == []  # everything had landed; only the answers were lost
    assert all(len(i.comments) == 1 for i in in_scope)
