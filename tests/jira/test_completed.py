"""Completed issues for the report's flow metrics, read from the Jira sandbox over HTTP through the real pipeline:
one more search (`statusCategory = Done AND resolved >= -Nd` in the JQL's scope), paged like the main one, asking
only for `created` and `resolutiondate`; never scored, never written to."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.jira.jql import completed_jql
from connectors.jira.sandbox import seed
from connectors.jira.sandbox.state import JiraState, jira_time
from connectors.sandbox_http import SandboxRequest, SandboxResponse
from syncer.pipeline import run_sync

from .conftest import calls, jira_settings, writes

PAGE_CAP = 100


def _state(mode: str, total: int = 400, done_recently: int = 130) -> tuple[JiraState, set[str]]:
    """`done_recently` issues resolved within the last 80 days, 20 more resolved 200 days ago (outside)."""
    state = seed.synthetic(total, mode=mode)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    recent: set[str] = set()
    for n, issue in enumerate(state.issues):
        if issue.status == "10003":
            issue.status = "10000"  # only the issues chosen below are done
        if n < done_recently + 20:
            issue.status = "10003"
            moved = now - timedelta(days=200 if n >= done_recently else n % 80, hours=1)
            issue.created = jira_time(moved - timedelta(days=5))
            issue.status_changed = issue.updated = jira_time(moved)
            if n < done_recently:
                recent.add(issue.key)
    return state, recent


def _recording(server: Any) -> list[dict[str, Any]]:
    searches: list[dict[str, Any]] = []
    app = server.app

    def record(request: SandboxRequest) -> SandboxResponse:
        if "/search" in request.path:
            query = {k: v[0] if isinstance(v, list) else v for k, v in dict(request.query).items()}
            searches.append(request.json() if request.method == "POST" else query)
        return app(request)

    server.app = record
    return searches


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_completed_issues_cost_their_own_pages_and_are_never_written(serve, mode: str) -> None:
    state, recent = _state(mode)
    sandbox, server = serve(state, page_cap=PAGE_CAP)
    searches = _recording(server)
    settings = jira_settings(server.url, deployment=mode, email="bot@acme.test" if mode == "cloud" else None)
    now = datetime.now(UTC)

    report = run_sync(settings, completed_since=now - timedelta(days=90))

    run = report.trackers[0]
    assert run.error is None and run.completed_error is None and run.completed is not None
    assert {c.key for c in run.completed} == recent
    first = next(c for c in run.completed if c.key == "ACME-1")
    assert first.team == "ACME" and first.started is None
    assert first.completed - first.created == timedelta(days=5)
    # Never scored, never planned, never written to: not by field, comment or property.
    done_keys = {i.key for i in sandbox.state.issues if i.status == "10003"}
    assert not {ref.key for ref in run.results} & done_keys
    assert run.plan is not None and not {w.ref.key for w in run.plan.writes} & done_keys
    written = {r.path.split("/")[5] for r in writes(server) if r.path.count("/") >= 5}
    assert written and not written & done_keys
    # The extra search: its own pages and nothing else, asking for two fields, in the JQL's scope.
    in_scope = sum(1 for i in sandbox.state.issues if i.status != "10003")
    main_pages, completed_pages = math.ceil(in_scope / PAGE_CAP), math.ceil(len(recent) / PAGE_CAP)
    kind = "POST search/jql" if mode == "cloud" else "GET search"
    assert calls(server)[kind] == main_pages + completed_pages == main_pages + 2
    extra = [s for s in searches if "resolved" in str(s.get("jql"))]
    assert len(extra) == completed_pages
    assert {s["jql"] for s in extra} == {"(project = ACME) AND statusCategory = Done AND resolved >= -90d"}
    if mode == "cloud":
        assert all(s["fields"] == ["created", "resolutiondate"] and "properties" not in s for s in extra)
    else:
        assert all(s["fields"] == "created,resolutiondate" and "expand" not in s for s in extra)


def test_without_a_report_no_completed_search_is_sent(serve) -> None:
    state, _recent = _state("cloud", total=120, done_recently=10)
    _sandbox, server = serve(state, page_cap=PAGE_CAP)
    searches = _recording(server)

    report = run_sync(jira_settings(server.url, deployment="cloud"))

    assert report.trackers[0].completed is None
    assert not [s for s in searches if "resolved" in str(s.get("jql"))]


def test_a_refused_flow_jql_leaves_the_sync_alone_and_says_why(serve) -> None:
    state, _recent = _state("cloud", total=120, done_recently=10)
    _sandbox, server = serve(state, page_cap=PAGE_CAP)
    settings = jira_settings(server.url, deployment="cloud", flow_jql="project = NOPE")

    report = run_sync(settings, completed_since=datetime.now(UTC) - timedelta(days=90))

    run = report.trackers[0]
    assert run.error is None and run.applied is not None and run.applied.fields_written > 0
    assert run.completed is None and run.completed_error is not None
    assert "flow_jql" in run.completed_error and "NOPE" in run.completed_error


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = ACME AND statusCategory != Done", "(project = ACME) AND statusCategory = Done AND resolved >= -30d"),
        (
            'labels = "a AND b" and statusCategory not in ("Done") ORDER BY rank',
            '(labels = "a AND b") AND statusCategory = Done AND resolved >= -30d',
        ),
        (
            "project = ACME AND (status = A OR status = B) AND resolution = Unresolved",
            "(project = ACME AND (status = A OR status = B)) AND statusCategory = Done AND resolved >= -30d",
        ),
        # A top-level OR is kept whole: dropping one side's exclusion would widen the query.
        (
            "project = A OR project = B AND statusCategory != Done",
            "(project = A OR project = B AND statusCategory != Done) AND statusCategory = Done AND resolved >= -30d",
        ),
        ("statusCategory != Done", "statusCategory = Done AND resolved >= -30d"),
    ],
)
def test_the_completed_query_keeps_the_configured_scope(jql: str, expected: str) -> None:
    assert completed_jql(jql, 30) == expected


def test_the_sandbox_answers_resolved_like_jira(serve) -> None:
    state, recent = _state("cloud", total=60, done_recently=12)
    _sandbox, server = serve(state, page_cap=PAGE_CAP)
    import httpx

    body = {"jql": "project = ACME AND resolved >= -90d", "fields": ["resolutiondate", "resolution"], "maxResults": 100}
    answer = httpx.post(f"{server.url}/rest/api/3/search/jql", json=body, auth=("bot@acme.test", "sandbox-token"))
    assert answer.status_code == 200, answer.text
    issues = answer.json()["issues"]
    assert {i["key"] for i in issues} == recent
    assert all(i["fields"]["resolutiondate"] and i["fields"]["resolution"] == {"name": "Done"} for i in issues)
    refused = httpx.post(
        f"{server.url}/rest/api/3/search/jql",
        json={**body, "jql": "resolved >= banana"},
        auth=("bot@acme.test", "sandbox-token"),
    )
    assert refused.status_code == 400


def test_a_run_reads_them_only_when_it_writes_the_report(serve, tmp_path) -> None:
    from syncer.job import run_job

    state, recent = _state("cloud", total=120, done_recently=10)
    _sandbox, server = serve(state, page_cap=PAGE_CAP)
    searches = _recording(server)
    settings = jira_settings(server.url, deployment="cloud").model_copy(update={"workdir": tmp_path})

    def completed_searches() -> int:
        return sum(1 for s in searches if "resolved" in str(s.get("jql")))

    run_job(settings, dry_run=True)  # `syncer plan`: no report, so no completed-issues search
    assert completed_searches() == 0
    run_job(settings, dry_run=True, report=True)  # `syncer plan --report`
    assert completed_searches() == 1
    result = run_job(settings)  # a real run writes the report
    assert completed_searches() == 2 and {c.key for c in result.report.trackers[0].completed or ()} == recent
    off = settings.model_copy(update={"report": settings.report.model_copy(update={"enabled": False})})
    run_job(off)  # the report is switched off: nothing to read it for
    assert completed_searches() == 2
