"""The shared retry policy: Retry-After honoured exactly, backoff bounded, long waits deferred to the next run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.errors import RateLimitedError, RetriableConnectorError, TrackerConfigError
from connectors.retry import build_retrying, parse_retry_after
from syncer.settings import HttpSettings

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("Thu, 26 Nov 2026 12:00:30 GMT", 30.0),
        ("Thu, 26 Nov 2026 11:00:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def _flaky(errors: list[Exception]):
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if errors:
            raise errors.pop(0)
        return "ok"

    return fn, calls


def test_rate_limit_waits_exactly_what_the_server_asked() -> None:
    slept: list[float] = []
    retrying = build_retrying(HttpSettings(max_attempts=4), sleep=slept.append)
    fn, calls = _flaky([RateLimitedError("429", retry_after=12.0), RateLimitedError("429", retry_after=3.0)])
    assert retrying(fn) == "ok"
    assert slept == [12.0, 3.0]
    assert calls["n"] == 3


def test_other_failures_back_off_exponentially_within_bounds() -> None:
    slept: list[float] = []
    http = HttpSettings(max_attempts=5, backoff_initial=1.0, backoff_max=3.0)
    retrying = build_retrying(http, sleep=slept.append)
    fn, _ = _flaky([RetriableConnectorError("503") for _ in range(4)])
    assert retrying(fn) == "ok"
    assert [0.5 <= s <= 1.0 for s in slept[:1]] == [True]
    assert all(s <= 3.0 for s in slept)
    assert slept[2] >= 1.5


def test_gives_up_after_max_attempts_and_reraises() -> None:
    retrying = build_retrying(HttpSettings(max_attempts=3), sleep=lambda s: None)
    fn, calls = _flaky([RetriableConnectorError("500") for _ in range(5)])
    with pytest.raises(RetriableConnectorError):
        retrying(fn)
    assert calls["n"] == 3


def test_wait_longer_than_ceiling_fails_now() -> None:
    slept: list[float] = []
    retrying = build_retrying(HttpSettings(max_retry_after=60), sleep=slept.append)
    fn, calls = _flaky([RateLimitedError("429", retry_after=3600)])
    with pytest.raises(RateLimitedError):
        retrying(fn)
    assert (calls["n"], slept) == (1, [])


def test_non_retriable_errors_are_not_retried() -> None:
    retrying = build_retrying(HttpSettings(), sleep=lambda s: None)
    fn, calls = _flaky([TrackerConfigError("unknown field")])
    with pytest.raises(TrackerConfigError):
        retrying(fn)
    assert calls["n"] == 1


def test_a_zero_wait_from_the_server_backs_off_instead_of_spending_every_attempt_at_once() -> None:
    slept: list[float] = []
    retrying = build_retrying(HttpSettings(max_attempts=3, backoff_initial=1.0), sleep=slept.append)
    fn, calls = _flaky([RateLimitedError("reset in the past", retry_after=0.0)] * 2)
    assert retrying(fn) == "ok"
    assert calls["n"] == 3
    assert all(s >= 0.5 for s in slept)
