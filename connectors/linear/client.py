"""LinearClient: POST one GraphQL operation, sort the answer into data or an error, retry what is worth it.

Linear answers most errors in the body, so the status code alone says little:

    transport error, timeout             -> RetriableConnectorError (retried)
    HTTP 5xx                             -> RetriableConnectorError (retried)
    code RATELIMITED / type ratelimited  -> RateLimitedError, waits for the budget to drip back (retried)
    or HTTP 429
    type "authentication error", 401    -> AuthenticationFailed (exit 3; names the credential, never its value)
    403 / type "forbidden"               -> AuthenticationFailed
    any other `errors[]` (even with 200) -> LinearQueryError, with the messages; partial `data` is dropped
    a 200 that is not a GraphQL answer   -> RetriableConnectorError (a proxy page, a cut-off body)
    a 4xx that is not a GraphQL answer   -> TrackerUnavailable at once (wrong `url`), not retried

While the writer has set `limiter`, every answer also steers how many writes are in flight: clean answers let
it grow, a RATELIMITED answer or a budget near its limit (`ratelimit.near_limit`) halves it.

Retries use the shared policy (`connectors.retry.build_retrying`); when they run out the error becomes
`TrackerUnavailable`, so the pipeline reports the tracker instead of crashing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from connectors.concurrency import AdaptiveLimit
from connectors.errors import (
    AuthenticationFailed,
    RateLimitedError,
    RetriableConnectorError,
    TrackerUnavailable,
)
from connectors.linear.ratelimit import RateBudget, retry_after
from connectors.retry import build_retrying
from syncer import metrics
from syncer.settings import HttpSettings

log = logging.getLogger(__name__)
_AUTH_TYPES = frozenset({"authentication error", "authentication_error"})


class LinearQueryError(TrackerUnavailable):
    """Linear refused or failed an operation (`errors[]` in the answer); `messages` are Linear's own words."""

    def __init__(self, operation: str, messages: list[str], *, codes: list[str] | None = None) -> None:
        super().__init__(f"Linear answered {operation} with errors: {'; '.join(messages)}")
        self.operation = operation
        self.messages = messages
        self.codes = codes or []


def _extensions(error: Any) -> Mapping[str, Any]:
    ext = error.get("extensions") if isinstance(error, dict) else None
    return ext if isinstance(ext, dict) else {}


def _message(error: Any) -> str:
    if isinstance(error, dict):
        ext = _extensions(error)
        return str(ext.get("userPresentableMessage") or error.get("message") or error)
    return str(error)


class LinearClient:
    """One Linear endpoint with one credential.

    Args:
        url: The GraphQL endpoint.
        auth: `LinearApiKeyAuth` or `LinearOAuthAuth`.
        http: Timeouts and retry bounds.
        credential: Where the credential came from, for error messages ("environment variable LINEAR_API_KEY").
        transport: Injected by tests (respx / MockTransport); None for the network.
        sleep: Injected by tests to record waits instead of sleeping.
    """

    def __init__(
        self,
        url: str,
        auth: httpx.Auth,
        http: HttpSettings,
        *,
        credential: str,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.credential = credential
        self._sleep = sleep
        self._retrying = build_retrying(http, sleep=sleep)
        self.budget = RateBudget(max_pause=http.max_retry_after)
        self.max_retry_after = http.max_retry_after
        self._http = httpx.Client(
            auth=auth,
            timeout=httpx.Timeout(http.timeout),
            transport=transport,
            headers={"Content-Type": "application/json", "User-Agent": "syncer (+linear connector)"},
        )
        self.requests_sent = 0
        self._refused_in_a_row = 0
        self.limiter: AdaptiveLimit | None = None
        """Set by the connector while it writes: told about every answer, so write concurrency follows Linear's."""

    def close(self) -> None:
        self._http.close()

    def execute(self, query: str, variables: Mapping[str, Any] | None = None, *, operation: str) -> dict[str, Any]:
        """Run one operation and return its `data`; raise on any error (see the module docstring).

        Args:
            query: The GraphQL document (a constant from `queries.py`).
            variables: Its variables.
            operation: The operation's name, for logs and messages.
        """
        payload = {"query": query, "variables": dict(variables or {}), "operationName": operation}
        try:
            return self._retrying.copy()(self._once, payload, operation)
        except RetriableConnectorError as exc:
            raise TrackerUnavailable(self._gave_up(exc, operation)) from exc

    def _gave_up(self, exc: RetriableConnectorError, operation: str) -> str:
        """Why retrying stopped: a wait beyond `[http] max_retry_after` (not sat through), or no attempts left."""
        if isinstance(exc, RateLimitedError) and (exc.retry_after or 0) > self.max_retry_after:
            return (
                f"Linear at {self.url} asked to wait {exc.retry_after:.0f} s ({operation}), longer than [http] "
                f"max_retry_after ({self.max_retry_after:.0f} s); the next run tries again: {exc}"
            )
        return f"Linear at {self.url} kept failing ({operation}): {exc}"

    def _once(self, payload: Mapping[str, Any], operation: str) -> dict[str, Any]:
        wait = self.budget.pause()
        if wait > 0:
            self._sleep(wait)
        self.requests_sent += 1
        try:
            response = self._http.post(self.url, content=json.dumps(payload).encode("utf-8"))
        except httpx.TimeoutException as exc:
            metrics.count_request("retriable")
            raise RetriableConnectorError(f"timed out after {exc.__class__.__name__}") from exc
        except httpx.TransportError as exc:
            metrics.count_request("retriable")
            raise RetriableConnectorError(f"connection failed: {exc}") from exc
        near_limit = self.budget.observe(response.headers)
        limiter = self.limiter
        try:
            data = self._classify(response, operation)
        except Exception as exc:
            metrics.count_request(metrics.request_outcome(exc))
            if limiter is not None and isinstance(exc, RateLimitedError):
                limiter.throttled()
            raise
        metrics.count_request("ok")
        if limiter is not None:
            if near_limit:
                limiter.throttled()
            else:
                limiter.answered()
        self._refused_in_a_row = 0
        return data

    def _refused(self, reason: str) -> AuthenticationFailed:
        return AuthenticationFailed(f"Linear at {self.url} refused the {self.credential}: {reason}")

    def _classify(self, response: httpx.Response, operation: str) -> dict[str, Any]:
        status = response.status_code
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        errors = body.get("errors") if isinstance(body, dict) else None
        errors = errors if isinstance(errors, list) else []
        codes = [str(_extensions(e).get("code") or "") for e in errors]
        types = [str(_extensions(e).get("type") or "").lower() for e in errors]
        if status == 429 or "RATELIMITED" in codes or "ratelimited" in types:
            # The first refusal waits for what it needs to drip back; a second in a row for the full reset.
            wait = retry_after(response.headers, patient=self._refused_in_a_row > 0)
            self._refused_in_a_row += 1
            raise RateLimitedError(f"Linear rate limit reached ({operation})", status=status, retry_after=wait)
        if status == 401 or "AUTHENTICATION_ERROR" in codes or _AUTH_TYPES & set(types):
            reason = _message(errors[0]) if errors else f"HTTP {status}"
            raise self._refused(f'{reason} (check the key, and that auth = "api_key" or "oauth" matches it)')
        if status == 403 or "forbidden" in types:
            raise self._refused(_message(errors[0]) if errors else "HTTP 403 forbidden")
        if status >= 500:
            raise RetriableConnectorError(f"Linear answered HTTP {status} ({operation})", status=status)
        if errors:
            # A 200 can carry partial `data` next to `errors`; using it would write back a half-read state.
            raise LinearQueryError(operation, [_message(e) for e in errors], codes=codes)
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict) and status < 400:
            return data
        snippet = response.text[:120].replace("\n", " ")
        message = f"Linear at {self.url} answered {operation} with HTTP {status} and no GraphQL data: {snippet!r}"
        if status >= 400:
            # Not a GraphQL answer at all (404 from a wrong path, a proxy's page): asking again will not help.
            raise TrackerUnavailable(message + " (is `url` the GraphQL endpoint?)")
        # A 200 that is not JSON is usually a proxy or a cut-off body; worth another attempt.
        raise RetriableConnectorError(message, status=status)
