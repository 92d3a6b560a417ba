"""Sorting Jira's answers into the connector error tree, in one place and as data.

    ConnectorError                       (connectors.errors)
    ├── TrackerUnavailable
    │   └── AuthenticationFailed         401, or 403 before anything succeeded
    ├── TrackerConfigError
    │   └── JiraRejected                 400/403/404/409/410/422: Jira understood and said no
    └── RetriableConnectorError          5xx, timeouts, dropped connections
        └── RateLimitedError             429, and 503 with Retry-After

Nothing else in the Jira connector reads status codes: the client calls `error_for_response` /
`error_for_exception` and raises what they return. A `JiraRejected` on a read is a configuration problem (bad
JQL, wrong board id); the writer catches it per issue and turns it into a `WriteFailure`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import requests

from connectors.errors import (
    AuthenticationFailed,
    ConnectorError,
    RateLimitedError,
    RetriableConnectorError,
    TrackerConfigError,
    TrackerUnavailable,
)
from connectors.retry import parse_reset, parse_retry_after

log = logging.getLogger(__name__)


class Action(StrEnum):
    RATE_LIMITED = "rate_limited"
    RETRY = "retry"
    AUTH = "auth"
    REJECTED = "rejected"


ERROR_TABLE: Mapping[int, Action] = {
    400: Action.REJECTED,
    401: Action.AUTH,
    403: Action.AUTH,
    404: Action.REJECTED,
    409: Action.REJECTED,
    410: Action.REJECTED,
    422: Action.REJECTED,
    429: Action.RATE_LIMITED,
    503: Action.RATE_LIMITED,
}
"""Status -> action; other 5xx retry, other 4xx are rejections."""


class JiraRejected(TrackerConfigError):
    """Jira refused one request; `errors` is its per-field map (`{"customfield_1": "reason"}`)."""

    def __init__(
        self, message: str, *, status: int, errors: Mapping[str, str] | None = None, messages: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors: Mapping[str, str] = dict(errors or {})
        self.messages = messages


def jira_messages(response: requests.Response) -> tuple[tuple[str, ...], dict[str, str]]:
    """Jira's `errorMessages` list and `errors` map from an error body (both empty when it has neither)."""
    try:
        data: Any = response.json()
    except ValueError:
        text = response.text.strip()
        return ((text[:300],) if text else ()), {}
    if not isinstance(data, dict):
        return (), {}
    raw_messages = data.get("errorMessages") or ([data["message"]] if data.get("message") else [])
    messages = tuple(str(m) for m in raw_messages) if isinstance(raw_messages, list) else (str(raw_messages),)
    errors = data.get("errors")
    field_errors = {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}
    return messages, field_errors


def _action(status: int) -> Action:
    if status in ERROR_TABLE:
        return ERROR_TABLE[status]
    return Action.RETRY if status >= 500 else Action.REJECTED


def error_for_response(
    response: requests.Response, *, what: str, base_url: str, credential: str, authenticated: bool
) -> ConnectorError:
    """The error to raise for a non-2xx answer to `what` ("GET /rest/api/3/field").

    `authenticated` says whether an earlier request in this run succeeded: a 403 after that is a missing
    permission on one resource (reported per issue), not bad credentials.
    """
    status = response.status_code
    action = _action(status)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if retry_after is None and status == 429:
        # Atlassian: Retry-After may be absent; X-RateLimit-Reset (an ISO instant) then says when to come back.
        retry_after = parse_reset(response.headers.get("X-RateLimit-Reset"))
    if action is Action.RATE_LIMITED and status == 503 and retry_after is None:
        action = Action.RETRY
    if action is Action.RATE_LIMITED:
        # Jira Cloud says which limit tripped (burst per endpoint, per-issue write, quota); operators need it.
        log.warning(
            "jira.rate-limited status=%d reason=%s retry_after=%s request=%s",
            status,
            response.headers.get("RateLimit-Reason", "-"),
            retry_after,
            what,
        )
        return RateLimitedError(f"{what}: HTTP {status}", status=status, retry_after=retry_after)
    if action is Action.RETRY:
        return RetriableConnectorError(f"{what}: HTTP {status}", status=status)
    denied_reason = response.headers.get("X-Authentication-Denied-Reason")
    if status == 401 or (action is Action.AUTH and (not authenticated or denied_reason)):
        detail = f" ({denied_reason})" if denied_reason else ""
        return AuthenticationFailed(
            f"Jira at {base_url} refused the credentials (HTTP {status}{detail}): {credential}. "
            "Check that the token is valid, not expired, and belongs to that account."
        )
    messages, errors = jira_messages(response)
    summary = "; ".join([*messages, *(f"{k}: {v}" for k, v in errors.items())]) or response.reason
    return JiraRejected(f"{what}: HTTP {status}: {summary}", status=status, errors=errors, messages=messages)


def error_for_exception(exc: requests.RequestException, *, what: str, base_url: str) -> ConnectorError:
    """Timeouts and dropped connections are worth another attempt; a bad URL or certificate is not."""
    kind = type(exc).__name__
    if isinstance(
        exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema | requests.exceptions.InvalidSchema
    ):
        return TrackerConfigError(f"Jira url {base_url!r} is not a usable URL ({kind}: {exc})")
    if isinstance(exc, requests.exceptions.SSLError):
        return TrackerUnavailable(f"Jira at {base_url}: TLS failed ({exc}); check the certificate or the url")
    return RetriableConnectorError(f"{what}: {transport_reason(exc)}")


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def transport_reason(exc: requests.RequestException) -> str:
    """What went wrong on the wire, in a few words ("connection refused"), not urllib3's nested repr."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read timed out"
    text = str(exc)
    found = _ERRNO.search(text)
    if found:
        return found.group(1).strip().lower()
    if "RemoteDisconnected" in text or "Connection aborted" in text or "ProtocolError" in text:
        return "the server closed the connection without an answer"
    if "NameResolutionError" in text or "Name or service not known" in text:
        return "host name not found"
    short = text if len(text) <= 160 else text[:159] + "…"
    return f"{type(exc).__name__}: {short}"
