"""The HTTP layer on its own: Retry-After (seconds or HTTP date) honoured exactly, RateLimit-Reason logged,
401/403 messages, 5xx backoff. python-jira speaks `requests`, which respx (httpx-only) cannot intercept, so each
test scripts a tiny real server on loopback instead of mocking."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from connectors.errors import AuthenticationFailed, TrackerUnavailable
from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraRejected
from connectors.retry import build_retrying
from connectors.sandbox_http import SandboxHTTPServer, SandboxRequest, SandboxResponse
from syncer.settings import HttpSettings, JiraTrackerSettings

FIELDS = [{"id": "summary", "name": "Summary", "schema": {"type": "string"}}]


def scripted(*answers: SandboxResponse) -> Callable[[SandboxRequest], SandboxResponse]:
    """Answer with `answers` in turn, then 200 with the field list."""
    queue = list(answers)

    def app(request: SandboxRequest) -> SandboxResponse:
        return queue.pop(0) if queue else SandboxResponse(200, FIELDS)

    return app


def client(url: str, waits: list[float], **tracker: object) -> JiraClient:
    settings = JiraTrackerSettings(
        name="acme", kind="jira", url=url, email="bot@acme.test", jql="project = ACME", deployment="cloud", **tracker
    )
    http = HttpSettings(max_attempts=4, backoff_initial=0.2, backoff_max=1.0, max_retry_after=30)
    return JiraClient(settings, token=SecretStr("s3cret"), http=http, retrying=build_retrying(http, sleep=waits.append))


def test_retry_after_as_http_date_is_waited_out_exactly() -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    waits: list[float] = []
    with SandboxHTTPServer(scripted(SandboxResponse(429, {}, {"Retry-After": when}))) as server:
        assert client(server.url, waits).fields() == FIELDS
    assert len(waits) == 1 and 1.5 <= waits[0] <= 3.0  # the date's whole seconds, never a jittered guess


def test_retry_after_seconds_on_503_and_rate_limit_reason_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    waits: list[float] = []
    answers = (
        SandboxResponse(429, {}, {"Retry-After": "7", "RateLimit-Reason": "jira-per-issue-on-write"}),
        SandboxResponse(503, {}, {"Retry-After": "2"}),
    )
    with caplog.at_level(logging.WARNING), SandboxHTTPServer(scripted(*answers)) as server:
        client(server.url, waits).fields()
    assert waits == [7.0, 2.0]
    assert "reason=jira-per-issue-on-write" in caplog.text


def test_server_errors_back_off_exponentially_with_jitter_and_give_up_as_unavailable() -> None:
    waits: list[float] = []
    failing = SandboxHTTPServer(scripted(*[SandboxResponse(502, "bad gateway")] * 4))
    with failing as server, pytest.raises(TrackerUnavailable, match="kept failing after 4 attempts"):
        client(server.url, waits).fields()
    assert len(waits) == 3
    assert 0.1 <= waits[0] <= 0.2 and 0.2 <= waits[1] <= 0.4 and 0.4 <= waits[2] <= 0.8


def test_retry_after_beyond_the_bound_is_not_waited() -> None:
    waits: list[float] = []
    hour = SandboxHTTPServer(scripted(SandboxResponse(429, {}, {"Retry-After": "3600"})))
    with hour as server, pytest.raises(TrackerUnavailable):
        client(server.url, waits).fields()
    assert waits == []


def test_401_names_the_account_the_token_source_and_the_url() -> None:
    waits: list[float] = []
    with SandboxHTTPServer(scripted(SandboxResponse(401, {"errorMessages": ["nope"]}))) as server:
        with pytest.raises(AuthenticationFailed) as caught:
            client(server.url, waits, token_env="JIRA_API_TOKEN").fields()
        assert len(server.requests) == 1
    message = str(caught.value)
    assert f"Jira at {server.url} refused the credentials (HTTP 401)" in message
    assert "e-mail 'bot@acme.test' with the API token from $JIRA_API_TOKEN" in message
    assert "s3cret" not in message


def test_403_after_a_success_is_a_missing_permission_not_bad_credentials() -> None:
    denied = SandboxResponse(403, {"errorMessages": ["You do not have permission to edit issues in this project."]})
    waits: list[float] = []
    with SandboxHTTPServer(scripted(SandboxResponse(200, FIELDS), denied)) as server:
        jira = client(server.url, waits)
        jira.fields()
        with pytest.raises(JiraRejected, match="permission to edit issues") as caught:
            jira.edit_issue("ACME-1", {"fields": {}}, notify=False)
    assert caught.value.status == 403


def test_403_on_the_first_request_is_refused_credentials() -> None:
    waits: list[float] = []
    captcha = SandboxResponse(403, "", {"X-Authentication-Denied-Reason": "CAPTCHA_CHALLENGE"})
    with SandboxHTTPServer(scripted(captcha)) as server, pytest.raises(AuthenticationFailed, match="CAPTCHA"):
        client(server.url, waits).fields()


def test_every_request_carries_the_configured_timeout() -> None:
    def slow(request: SandboxRequest) -> SandboxResponse:
        time.sleep(0.5)
        return SandboxResponse(200, FIELDS)

    settings = JiraTrackerSettings(name="acme", kind="jira", url="", email="bot@acme.test", jql="x", deployment="cloud")
    http = HttpSettings(timeout=0.1, max_attempts=2, backoff_initial=0, backoff_max=0)
    with SandboxHTTPServer(slow) as server:
        jira = JiraClient(settings.model_copy(update={"url": server.url}), token=SecretStr("t"), http=http)
        with pytest.raises(TrackerUnavailable, match="read timed out"):
            jira.fields()


def test_html_instead_of_json_says_to_check_the_url() -> None:
    login_page = SandboxResponse(200, "<html>Log in</html>", {"Content-Type": "text/html"})
    waits: list[float] = []
    with (
        SandboxHTTPServer(scripted(login_page)) as server,
        pytest.raises(TrackerUnavailable, match="did not answer JSON"),
    ):
        client(server.url, waits).fields()
