"""Credentials that never reach Jira: a 401 with a challenge, or, on sites that allow it, the anonymous user."""

from __future__ import annotations

import requests

from connectors.jira.sandbox import Access, seed
from connectors.sandbox_http import SandboxRequest, SandboxResponse
from syncer.pipeline import run_sync

from .conftest import EMAIL, TOKEN, jira_settings


def _search(url: str, jql: str, **kwargs) -> requests.Response:
    body = {"jql": jql, "fields": ["summary"]}
    return requests.post(f"{url}/rest/api/3/search/jql", json=body, timeout=5, **kwargs)


def test_a_401_carries_a_www_authenticate_challenge(serve) -> None:
    _sandbox, server = serve(seed.synthetic(3))
    for auth in (None, (EMAIL, "wrong")):
        response = requests.get(f"{server.url}/rest/api/3/field", auth=auth, timeout=5)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("OAuth realm=")


def test_an_anonymous_caller_on_a_site_that_allows_it_sees_an_empty_or_missing_project(serve) -> None:
    _sandbox, server = serve(seed.synthetic(3), access=Access(anonymous=True))
    hidden = _search(server.url, "project = ACME")
    assert hidden.status_code == 400
    assert hidden.json()["errorMessages"] == ["The value 'ACME' does not exist for the field 'project'."]
    empty = _search(server.url, "statusCategory != Done")
    assert empty.status_code == 200 and empty.json()["issues"] == []
    assert requests.get(f"{server.url}/rest/api/3/myself", timeout=5).status_code == 401
    assert len(_search(server.url, "project = ACME", auth=(EMAIL, TOKEN)).json()["issues"]) == 3


def test_a_public_project_is_readable_anonymously_but_not_writable(serve) -> None:
    _sandbox, server = serve(seed.synthetic(3), access=Access(anonymous=True, anonymous_browse=True))
    assert len(_search(server.url, "project = ACME").json()["issues"]) == 3
    put = requests.put(f"{server.url}/rest/api/3/issue/ACME-1", json={"fields": {"summary": "x"}}, timeout=5)
    assert put.status_code == 401


def _strip_credentials(server) -> None:
    """A proxy in front of Jira that drops the Authorization header."""
    app = server.app

    def proxy(request: SandboxRequest) -> SandboxResponse:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        return app(SandboxRequest(request.method, request.path, request.query, headers, request.body))

    server.app = proxy


def test_syncer_says_the_credentials_were_not_used_when_jira_serves_it_anonymously(serve) -> None:
    for jql in ("project = ACME AND statusCategory != Done", "statusCategory != Done"):
        _sandbox, server = serve(seed.synthetic(5), access=Access(anonymous=True))
        _strip_credentials(server)

        run = run_sync(jira_settings(server.url, deployment="cloud", jql=jql)).trackers[0]

        assert run.error_kind == "auth", (jql, run.error)
        assert "the credentials were not used" in (run.error or "")
        assert server.url in (run.error or "") and EMAIL in (run.error or "")


def test_an_empty_backlog_seen_with_working_credentials_is_just_empty(serve) -> None:
    _sandbox, server = serve(seed.synthetic(5), access=Access(anonymous=True))
    run = run_sync(jira_settings(server.url, deployment="cloud", jql="project = ACME AND labels = none")).trackers[0]
    assert run.error is None and run.issues == []
