"""The sandbox behaves like Jira where the connector could go wrong: removed endpoints, paging, validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.jira.sandbox import DEMO_EMAIL, DEMO_TOKEN, JiraSandbox, seed, start_demo_sandbox
from connectors.jira.sandbox.state import JiraState

from .conftest import EMAIL, TOKEN


def _session(mode: str) -> requests.Session:
    session = requests.Session()
    if mode == "cloud":
        session.auth = (EMAIL, TOKEN)
    else:
        session.headers["Authorization"] = f"Bearer {TOKEN}"
    return session


def test_cloud_removed_the_old_search_and_data_center_never_had_search_jql(serve) -> None:
    _, cloud = serve(seed.synthetic(3, mode="cloud"))
    _, dc = serve(seed.synthetic(3, mode="datacenter"))
    c, d = _session("cloud"), _session("datacenter")
    assert c.get(f"{cloud.url}/rest/api/3/search", params={"jql": "project = ACME"}).status_code == 410
    assert c.post(f"{cloud.url}/rest/api/2/search", json={"jql": "project = ACME"}).status_code == 410
    assert d.get(f"{dc.url}/rest/api/2/search/jql", params={"jql": "project = ACME"}).status_code == 404
    assert d.get(f"{dc.url}/rest/api/3/field").status_code == 404
    assert d.get(f"{dc.url}/rest/api/2/search", params={"jql": "project = ACME"}).json()["total"] == 3


def test_search_jql_pages_by_token_with_short_pages_and_no_token_on_the_last(serve) -> None:
    _, server = serve(seed.synthetic(25, mode="cloud"), page_cap=10)
    session, keys, token, pages = _session("cloud"), [], None, []
    while True:
        body: dict[str, Any] = {"jql": "project = ACME", "fields": ["summary", "status"], "maxResults": 50}
        if token:
            body["nextPageToken"] = token
        page = session.post(f"{server.url}/rest/api/3/search/jql", json=body).json()
        pages.append(page)
        keys += [i["key"] for i in page["issues"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert [len(p["issues"]) for p in pages] == [10, 10, 5]  # fewer than maxResults, yet more follow
    assert "nextPageToken" not in pages[-1] and pages[-1]["isLast"] is True
    assert "total" not in pages[0] and keys == [f"ACME-{n}" for n in range(1, 26)]


def test_search_defaults_to_ids_only_and_refuses_unbounded_queries(serve) -> None:
    _, server = serve(seed.synthetic(3, mode="cloud"))
    session = _session("cloud")
    ids_only = session.post(f"{server.url}/rest/api/3/search/jql", json={"jql": "project = ACME"}).json()
    assert ids_only["issues"][0]["fields"] == {}
    unbounded = session.post(f"{server.url}/rest/api/3/search/jql", json={"jql": "order by key"})
    assert unbounded.status_code == 400 and "Unbounded" in unbounded.text


def test_request_bodies_are_validated_against_the_published_spec(serve) -> None:
    _, server = serve(seed.synthetic(3, mode="cloud"))
    session = _session("cloud")
    paging_by_offset = session.post(f"{server.url}/rest/api/3/search/jql", json={"jql": "project = ACME", "startAt": 5})
    assert paging_by_offset.status_code == 400 and "startAt" in paging_by_offset.text
    bad_flag = session.put(f"{server.url}/rest/api/3/issue/ACME-1", params={"notifyUsers": "maybe"}, json={})
    assert bad_flag.status_code == 400


def test_v3_comments_must_be_adf_and_v2_comments_wiki(serve) -> None:
    sandbox, server = serve(seed.synthetic(3, mode="cloud"))
    session = _session("cloud")
    plain = session.post(f"{server.url}/rest/api/3/issue/ACME-1/comment", json={"body": "plain text"})
    assert plain.status_code == 400 and "ADF" in plain.text
    wiki = session.post(f"{server.url}/rest/api/2/issue/ACME-1/comment", json={"body": "h1. wiki"})
    assert wiki.status_code == 201
    as_adf = session.get(f"{server.url}/rest/api/3/issue/ACME-1/comment").json()["comments"][0]["body"]
    assert as_adf["type"] == "doc"
    assert len(sandbox.state.issues[0].comments) == 1


def test_entity_properties_answer_201_then_200(serve) -> None:
    _sandbox, server = serve(seed.synthetic(3, mode="cloud"))
    session, url = _session("cloud"), f"{server.url}/rest/api/3/issue/ACME-2/properties/syncer.comment"
    assert session.put(url, json={"id": "1", "hash": "a"}).status_code == 201
    assert session.put(url, json={"id": "1", "hash": "b"}).status_code == 200
    assert session.get(url).json() == {"key": "syncer.comment", "value": {"id": "1", "hash": "b"}}


def test_wrong_credentials_get_401(serve) -> None:
    _, server = serve(seed.synthetic(3, mode="cloud"))
    assert requests.get(f"{server.url}/rest/api/3/field", auth=(EMAIL, "nope"), timeout=5).status_code == 401
    assert requests.get(f"{server.url}/rest/api/3/field", timeout=5).status_code == 401


def test_state_survives_a_restart_through_its_json_file(tmp_path: Path) -> None:
    path = tmp_path / "jira.json"
    sandbox = JiraSandbox(seed.synthetic(4, mode="datacenter"), state_path=path)
    sandbox.state.issues[0].properties["k"] = {"v": 1}
    sandbox.save()
    again = JiraSandbox(state_path=path)
    assert again.state == JiraState.load(path) and again.state.issues[0].properties == {"k": {"v": 1}}
    assert again.state.mode == "datacenter"


def test_demo_sandbox_is_seeded_from_the_demo_backlog_and_keeps_its_state(tmp_path: Path) -> None:
    with start_demo_sandbox(tmp_path) as url:
        fields = requests.get(f"{url}/rest/api/3/field", auth=(DEMO_EMAIL, DEMO_TOKEN), timeout=5).json()
        assert {"Reach", "Impact", "Confidence", "Story Points", "RICE Score"} <= {f["name"] for f in fields}
        requests.put(
            f"{url}/rest/api/3/issue/ACME-1/properties/mark", json={"x": 1}, auth=(DEMO_EMAIL, DEMO_TOKEN), timeout=5
        )
    state = JiraState.load(tmp_path / "jira-state.json")
    assert state.issues[0].key == "ACME-1" and state.issues[0].properties == {"mark": {"x": 1}}
    assert len(state.issues) == 220
    with start_demo_sandbox(tmp_path) as url:
        got = requests.get(f"{url}/rest/api/3/issue/ACME-1/properties/mark", auth=(DEMO_EMAIL, DEMO_TOKEN), timeout=5)
        assert got.json()["value"] == {"x": 1}



def test_later_pages_do_not_run_the_query_over_every_issue_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paging N issues used to cost one JQL evaluation over every issue per page; now one per query."""
    from connectors.jira.sandbox import jql

    state = seed.synthetic(250)
    state.account.email, state.account.token = EMAIL, TOKEN
    runs: list[int] = []
    real_run = jql.run
    monkeypatch.setattr(jql, "run", lambda *a: runs.append(1) or real_run(*a))
    token, keys = None, []
    with JiraSandbox(state, page_cap=50, validate=False).serve() as server:
        while True:
            body: dict[str, Any] = {"jql": "project = ACME ORDER BY key", "maxResults": 50, "fields": ["summary"]}
            if token:
                body["nextPageToken"] = token
            page = requests.post(f"{server.url}/rest/api/3/search/jql", json=body, auth=(EMAIL, TOKEN), timeout=5).json()
            keys += [i["key"] for i in page["issues"]]
            token = page.get("nextPageToken")
            if page["isLast"]:
                break
    assert len(keys) == len(set(keys)) == 250
    assert len(runs) == 1
