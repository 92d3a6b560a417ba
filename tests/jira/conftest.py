"""Jira fixtures: a sandbox on loopback (real HTTP) and settings pointing the real pipeline at it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connectors.jira.sandbox import JiraSandbox, seed
from connectors.jira.sandbox.state import JiraState
from connectors.jira.sandbox.validation import AGILE, PLATFORM, _api
from connectors.sandbox_http import FaultConfig, RequestRecord, SandboxHTTPServer
from syncer.settings import SyncSettings

EMAIL, TOKEN = "bot@acme.test", "sandbox-token"
FAST_HTTP = {"timeout": 5.0, "max_attempts": 10, "backoff_initial": 0.005, "backoff_max": 0.02}
"""Retry quickly: 10 attempts keep even a 20 % fault rate from exhausting retries."""


@pytest.fixture(scope="session", autouse=True)
def _specs_loaded_once() -> None:
    # Loading the 2.4 MB platform spec takes about half a second; do it once, not inside a timed test.
    _api(PLATFORM)
    _api(AGILE)


@pytest.fixture(scope="session")
def thousand_cloud() -> dict[str, Any]:
    """A 1,000-issue Cloud project as saved state (each test loads its own copy)."""
    return seed.synthetic(1000, mode="cloud").to_json()


def with_account(state: JiraState, *, admin: bool = False) -> JiraState:
    state.account.email, state.account.token, state.account.admin = EMAIL, TOKEN, admin
    return state


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[JiraSandbox, SandboxHTTPServer]]]:
    servers: list[SandboxHTTPServer] = []

    def start(
        state: JiraState, *, faults: FaultConfig | None = None, **kwargs: Any
    ) -> tuple[JiraSandbox, SandboxHTTPServer]:
        sandbox = JiraSandbox(with_account(state), **kwargs)
        server = sandbox.serve(faults=faults).start()
        servers.append(server)
        return sandbox, server

    yield start
    for server in servers:
        server.stop()


def jira_settings(url: str, *, http: dict[str, Any] | None = None, **tracker: Any) -> SyncSettings:
    """SyncSettings with one Jira tracker named "acme" using the seed's fields; keyword args override."""
    entry: dict[str, Any] = {
        "name": "acme",
        "kind": "jira",
        "url": url,
        "email": EMAIL,
        "token": TOKEN,
        "jql": "project = ACME AND statusCategory != Done ORDER BY key",
        "notify_users": False,
        **seed.TRACKER_FIELDS,
    }
    entry.update(tracker)
    return SyncSettings(trackers=[entry], http={**FAST_HTTP, **(http or {})})


def calls(server: SandboxHTTPServer) -> Counter[str]:
    """Requests by kind ("POST search/jql", "PUT issue", ...), counting only answered requests."""
    return Counter(kind(r) for r in server.requests if r.status)


def kind(record: RequestRecord) -> str:
    path = record.path
    for prefix in ("/rest/api/2/", "/rest/api/3/", "/rest/api/latest/"):
        if path.startswith(prefix):
            path = path[len(prefix) :]
    parts = path.split("/")
    if parts[0] == "issue":
        shape = ["issue", *(p for p in parts[2:3])]
        if len(parts) > 3:
            shape.append("{id}")
        path = "/".join(shape)
    return f"{record.method} {path}"


def writes(server: SandboxHTTPServer) -> list[RequestRecord]:
    return [r for r in server.requests if r.method in ("PUT", "POST", "DELETE") and "search" not in r.path]
