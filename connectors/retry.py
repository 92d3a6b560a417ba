"""The one retry policy every HTTP connector uses (tenacity), keyed on exception type.

429/503 (and Linear's RATELIMITED) raise `RateLimitedError` with the wait the server asked for: that wait is
honoured exactly (never shorter, never jittered down). Other retriable failures (5xx, timeouts, dropped
connections) back off exponentially with jitter. Attempts and the longest acceptable wait come from `[http]`.
"""

from __future__ import annotations

import email.utils
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base

from connectors.errors import RateLimitedError, RetriableConnectorError
from syncer import metrics
from syncer.settings import HttpSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. None when absent or garbled."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_reset(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds until an ISO-8601 reset instant (Jira's `X-RateLimit-Reset`, `2026-03-02T10:15Z`); None if garbled."""
    if value is None or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class WaitPolicy:
    """tenacity wait: the server's Retry-After when it gave one, else capped exponential backoff with jitter."""

    def __init__(self, http: HttpSettings, rng: random.Random | None = None) -> None:
        self.http = http
        self.rng = rng or random.Random()

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        # A wait of 0 (a reset already in the past, clocks apart) would spend every attempt at once: back off.
        if isinstance(exc, RateLimitedError) and exc.retry_after:
            return exc.retry_after
        base = self.http.backoff_initial * (2 ** (state.attempt_number - 1))
        return float(min(self.http.backoff_max, base) * self.rng.uniform(0.5, 1.0))


class _WaitTooLong(stop_base):
    """Stop when the server asks for a wait beyond `max_retry_after`: a cron job fails now, retries next run."""

    def __init__(self, http: HttpSettings) -> None:
        self.http = http

    def __call__(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        return isinstance(exc, RateLimitedError) and (exc.retry_after or 0) > self.http.max_retry_after


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    rate_limited = isinstance(exc, RateLimitedError)
    # The error text is given once, when retrying gives up (the run report); each retry line stays short.
    reason = f"HTTP {exc.status}" if isinstance(exc, RetriableConnectorError) and exc.status else _short(exc)
    log.warning(
        "http.retry attempt=%d wait=%.2fs reason=%s",
        state.attempt_number,
        wait,
        reason,
        extra={"attempt": state.attempt_number, "wait_seconds": round(wait, 3), "rate_limited": rate_limited},
    )
    metrics.count_retry("rate_limit_wait" if rate_limited else "retry", wait)


def _short(exc: BaseException | None) -> str:
    text = str(exc).rsplit(": ", 1)[-1] if exc is not None else "-"
    return text if len(text) <= 80 else text[:79] + "…"


def build_retrying(
    http: HttpSettings, *, sleep: Callable[[float], None] | None = None, rng: random.Random | None = None
) -> Retrying:
    """A `Retrying` for one connector; `sleep` is injectable so tests can record waits instead of sleeping."""
    kwargs = {"sleep": sleep} if sleep is not None else {}
    return Retrying(
        retry=retry_if_exception_type(RetriableConnectorError),
        wait=WaitPolicy(http, rng),
        stop=stop_after_attempt(http.max_attempts) | _WaitTooLong(http),
        before_sleep=_log_retry,
        reraise=True,
        **kwargs,  # type: ignore[arg-type]
    )


def call_with_retry(retrying: Retrying, fn: Callable[[], T]) -> T:
    return retrying(fn)
