"""HTTP-layer cases that are awkward to stage on the sandbox (respx): malformed bodies, partial data, 429s."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx
from pydantic import SecretStr

from connectors.errors import AuthenticationFailed, RateLimitedError, TrackerUnavailable
from connectors.linear.auth import LinearApiKeyAuth, LinearOAuthAuth
from connectors.linear.client import LinearClient, LinearQueryError
from syncer.pipeline import run_sync
from syncer.settings import HttpSettings
from tests.linear.conftest import linear_settings

URL = "https://linear.test/graphql"
HTTP = HttpSettings(backoff_initial=0.0, backoff_max=0.0, max_attempts=3)
KEY = SecretStr("lin_api_secret_value")


def _client(auth: httpx.Auth | None = None, *, waits: list[float] | None = None) -> LinearClient:
    sleep = waits.append if waits is not None else (lambda _s: None)
    return LinearClient(
        URL, auth or LinearApiKeyAuth(KEY), HTTP, credential="API key in environment variable X", sleep=sleep
    )


@respx.mock
def test_api_key_is_sent_bare_and_oauth_token_as_bearer() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, json={"data": {"viewer": {"id": "u"}}}))
    _client().execute("query V { viewer { id } }", operation="V")
    _client(LinearOAuthAuth(SecretStr("tok"))).execute("query V { viewer { id } }", operation="V")
    assert [c.request.headers["Authorization"] for c in route.calls] == ["lin_api_secret_value", "Bearer tok"]


@respx.mock
def test_a_malformed_body_is_retried_then_reported_as_unavailable() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, text="<html>Bad gateway</html>"))
    with pytest.raises(TrackerUnavailable, match="no GraphQL data") as caught:
        _client().execute("query V { viewer { id } }", operation="V")
    assert route.call_count == HTTP.max_attempts
    assert not isinstance(caught.value, LinearQueryError)


@respx.mock
def test_a_cut_off_body_then_a_good_one_succeeds() -> None:
    respx.post(URL).mock(
        side_effect=[httpx.Response(200, text='{"data": {"vie'), httpx.Response(200, json={"data": {"ok": 1}})]
    )
    assert _client().execute("query V { viewer { id } }", operation="V") == {"ok": 1}


@respx.mock
def test_errors_in_a_200_are_errors_even_with_partial_data() -> None:
    body = {
        "data": {"issues": {"nodes": [{"id": "a"}], "pageInfo": {"hasNextPage": False}}},
        "errors": [
            {
                "message": "Field error",
                "extensions": {"type": "internal error", "userPresentableMessage": "Something broke"},
            }
        ],
    }
    route = respx.post(URL).mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(LinearQueryError, match="Something broke"):
        _client().execute("query I { issues { nodes { id } } }", operation="I")
    assert route.call_count == 1  # an answered error is not retried


@respx.mock
def test_partial_data_during_a_sync_is_never_written_back(tmp_path: Path) -> None:
    teams = {
        "teams": {
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "nodes": [
                {
                    "id": "t1",
                    "key": "ENG",
                    "name": "Eng",
                    "issueEstimationType": "fibonacci",
                    "issueEstimationExtended": False,
                    "issueEstimationAllowZero": False,
                }
            ],
        }
    }
    groups = [
        {"id": f"g{n}", "name": name, "isGroup": True, "parent": None, "team": None}
        for n, name in enumerate(("Impact", "Confidence"))
    ]
    labels = {"issueLabels": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": groups}}
    partial = {
        "data": {"issues": {"pageInfo": {"hasNextPage": True, "endCursor": "c1"}, "nodes": []}},
        "errors": [{"message": "Timeout resolving needs", "path": ["issues", "nodes", 3, "needs"]}],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        operation = request.read().decode()
        if "SyncerTeams" in operation:
            return httpx.Response(200, json={"data": teams})
        if "SyncerLabels" in operation:
            return httpx.Response(200, json={"data": labels})
        if "SyncerIssues" in operation:
            return httpx.Response(200, json=partial)
        raise AssertionError(f"unexpected write: {operation[:80]}")

    respx.post(URL).mock(side_effect=answer)
    settings = linear_settings(URL, tmp_path, teams=["ENG"])
    run = run_sync(settings).trackers[0]
    assert run.error_kind == "unavailable"
    assert "Timeout resolving needs" in (run.error or "")
    assert run.plan is None and run.applied is None


@respx.mock
def test_http_429_is_a_rate_limit_with_the_reset_wait() -> None:
    headers = {"X-RateLimit-Requests-Remaining": "0", "X-RateLimit-Requests-Reset": "9999999999999"}
    respx.post(URL).mock(return_value=httpx.Response(429, json={"errors": [{"message": "slow down"}]}, headers=headers))
    client = _client()
    with pytest.raises(TrackerUnavailable) as caught:
        client.execute("query V { viewer { id } }", operation="V")
    cause = caught.value.__cause__
    assert isinstance(cause, RateLimitedError) and cause.retry_after is not None and cause.retry_after > 1e6
    assert client.requests_sent == 1  # a wait longer than max_retry_after is not sat through


@respx.mock
def test_5xx_is_retried_with_backoff() -> None:
    respx.post(URL).mock(side_effect=[httpx.Response(503), httpx.Response(200, json={"data": {"ok": True}})])
    waits: list[float] = []
    assert _client(waits=waits).execute("query V { viewer { id } }", operation="V") == {"ok": True}
    assert len(waits) == 1


@respx.mock
def test_http_401_names_the_credential_source_and_url_never_the_key() -> None:
    respx.post(URL).mock(return_value=httpx.Response(401, text="Unauthorized"))
    with pytest.raises(AuthenticationFailed) as caught:
        _client().execute("query V { viewer { id } }", operation="V")
    message = str(caught.value)
    assert URL in message and "environment variable X" in message
    assert KEY.get_secret_value() not in message


@respx.mock
def test_a_wrong_url_is_not_retried() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(404, text="Not Found"))
    with pytest.raises(TrackerUnavailable, match="is `url` the GraphQL endpoint"):
        _client().execute("query V { viewer { id } }", operation="V")
    assert route.call_count == 1


@respx.mock
def test_timeouts_are_retried() -> None:
    respx.post(URL).mock(side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json={"data": {"ok": 1}})])
    assert _client().execute("query V { viewer { id } }", operation="V") == {"ok": 1}


def test_the_key_never_shows_in_the_auth_objects_repr() -> None:
    assert KEY.get_secret_value() not in repr(LinearApiKeyAuth(KEY))
    assert "oauth-xyz" not in repr(LinearOAuthAuth(SecretStr("oauth-xyz")))
