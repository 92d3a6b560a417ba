"""The shared sandbox server: real sockets, seeded faults, and the request log tests count from."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from connectors.sandbox_http import FaultConfig, SandboxHTTPServer, SandboxRequest, SandboxResponse


class Counter:
    """An app with one side effect, so tests can tell whether a faulted request was applied."""

    def __init__(self) -> None:
        self.applied = 0

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        if request.method == "POST":
            self.applied += 1
        return SandboxResponse(201, {"n": self.applied, "q": request.param("q"), "h": request.headers.get("X-Token")})


def _send(url: str, method: str = "GET", path: str = "/x?q=1") -> http.client.HTTPResponse:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    conn.request(method, path, body=b"{}" if method == "POST" else None, headers={"x-token": "t"})
    return conn.getresponse()


def test_serves_app_json_and_logs_each_request() -> None:
    app = Counter()
    with SandboxHTTPServer(app) as server:
        resp = _send(server.url, "POST")
        assert resp.status == 201
        assert json.loads(resp.read()) == {"n": 1, "q": "1", "h": "t"}
    assert [(r.method, r.path, r.status, r.fault) for r in server.requests] == [("POST", "/x", 201, None)]


def test_429_carries_retry_after_and_reason_and_is_not_applied() -> None:
    app = Counter()
    faults = FaultConfig(rate=1.0, kinds=("429",), retry_after=0.05, rate_limit_reason="jira-per-issue-on-write")
    with SandboxHTTPServer(app, faults=faults) as server:
        resp = _send(server.url, "POST")
        assert resp.status == 429
        assert resp.getheader("Retry-After") == "0.05"
        assert resp.getheader("RateLimit-Reason") == "jira-per-issue-on-write"
    assert app.applied == 0


@pytest.mark.parametrize(("kind", "applied"), [("drop", 0), ("drop_after", 1)])
def test_dropped_connection_before_or_after_applying(kind: str, applied: int) -> None:
    app = Counter()
    with SandboxHTTPServer(app, faults=FaultConfig(rate=1.0, kinds=(kind,))) as server:
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            _send(server.url, "POST")
        assert server.requests[0].fault == kind
    assert app.applied == applied


def test_same_seed_gives_same_faults_and_faults_can_change_at_runtime() -> None:
    def run(server: SandboxHTTPServer) -> list[str | None]:
        for _ in range(30):
            _send(server.url).read()
        return [r.fault for r in server.requests]

    faults = FaultConfig(rate=0.5, seed=7, kinds=("500", "delay"), delay=0.0)
    with (
        SandboxHTTPServer(Counter(), faults=faults) as first,
        SandboxHTTPServer(Counter(), faults=faults) as second,
    ):
        assert run(first) == run(second)
        assert {"500", "delay", None} <= set(run(first))
        first.faults = FaultConfig()
        first.reset_log()
        assert run(first) == [None] * 30


def test_faults_can_be_aimed_at_a_body() -> None:
    """Every GraphQL request is `POST /graphql`: only the body tells one mutation from another."""
    faults = FaultConfig(rate=1.0, kinds=("500",), only_body=r"mutation DeleteComment\b")

    def post(url: str, body: bytes) -> int:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
        conn.request("POST", "/graphql", body=body)
        return conn.getresponse().status

    with SandboxHTTPServer(Counter(), faults=faults) as server:
        assert post(server.url, b'{"query": "mutation DeleteComment($id: String!) {x}"}') == 500
        assert post(server.url, b'{"query": "mutation CreateComment($input: X!) {x}"}') == 201
        assert post(server.url, b"") == 201


def test_unknown_fault_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        FaultConfig(kinds=("teapot",))
