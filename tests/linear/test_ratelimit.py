"""Rate limits: a RATELIMITED answer (HTTP 400, not 429) is waited out until its epoch-ms reset; the worker
slows down before its budget runs out; waits longer than `[http] max_retry_after` are not sat through."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from connectors.linear.ratelimit import RateBudget, read_budgets, retry_after
from connectors.linear.sandbox import RateLimits, synthetic
from syncer.pipeline import run_sync
from tests.linear.conftest import linear_settings


def test_a_ratelimited_answer_is_waited_out_and_the_run_completes(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(60)
    sandbox = start_sandbox(ws)
    sandbox.app.budget.block(0.3)  # another client spent the key's budget; it is back in 0.3 s
    started = time.monotonic()
    run = run_sync(linear_settings(sandbox.url, tmp_path)).trackers[0]
    elapsed = time.monotonic() - started
    assert run.error is None and run.applied is not None and not run.applied.failures
    refused = [r for r in sandbox.requests if r.status == 400]
    assert refused and sandbox.requests[0].status == 400
    assert elapsed >= 0.3  # waited until the reset, not a blind short backoff (0.01 s here)
    assert len(refused) <= 2
    assert len(ws.attachments) == run.applied.issues_written > 0


def test_a_small_budget_is_paced_and_the_sync_still_completes(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(40)
    sandbox = start_sandbox(ws, limits=RateLimits(requests=12, complexity=100_000, window=0.25))
    settings = linear_settings(sandbox.url, tmp_path, page_size=10, http={"write_concurrency": 1})
    run = run_sync(settings).trackers[0]
    assert run.error is None and run.applied is not None and not run.applied.failures
    assert len(ws.attachments) == run.applied.issues_written
    answered = len(sandbox.requests)
    refused = sum(1 for r in sandbox.requests if r.status == 400)
    # 5 pages + 2 setup + ~30 writes in windows of 12: pacing keeps refusals to a small share.
    assert answered - refused == len(sandbox.operations)
    assert refused <= answered // 4


def test_a_reset_beyond_max_retry_after_fails_the_tracker_instead_of_hanging(
    start_sandbox: Any, tmp_path: Path
) -> None:
    sandbox = start_sandbox(synthetic(5))
    sandbox.app.budget.block(3600)
    started = time.monotonic()
    run = run_sync(linear_settings(sandbox.url, tmp_path, http={"max_retry_after": 1})).trackers[0]
    assert time.monotonic() - started < 5
    assert run.error_kind == "unavailable"
    assert "rate limit" in (run.error or "")


HEADERS = {
    "X-RateLimit-Requests-Limit": "2500",
    "X-RateLimit-Requests-Remaining": "0",
    "X-RateLimit-Requests-Reset": "1700000030000",  # epoch milliseconds
    "X-RateLimit-Complexity-Limit": "3000000",
    "X-RateLimit-Complexity-Remaining": "2900000",
    "X-RateLimit-Complexity-Reset": "1700003600000",
    "X-Complexity": "120",
}


def test_the_wait_is_until_the_reset_of_the_spent_budget_in_milliseconds() -> None:
    assert retry_after(HEADERS, now=1_700_000_000.0) == pytest.approx(30.0)


def test_a_spent_complexity_budget_counts_when_less_is_left_than_the_query_costs() -> None:
    headers = {**HEADERS, "X-RateLimit-Requests-Remaining": "10", "X-RateLimit-Complexity-Remaining": "50"}
    assert retry_after(headers, now=1_700_000_000.0) == pytest.approx(3600.0)


def test_reset_in_seconds_is_still_understood() -> None:
    headers = {**HEADERS, "X-RateLimit-Requests-Reset": "1700000030"}
    assert retry_after(headers, now=1_700_000_000.0) == pytest.approx(30.0)


def test_no_reset_header_means_no_server_wait() -> None:
    assert retry_after({"X-Complexity": "3"}) is None
    assert read_budgets({}) == []


def test_pacing_spreads_the_last_requests_until_the_reset(caplog: pytest.LogCaptureFixture) -> None:
    budget = RateBudget(max_pause=60, clock=lambda: 1_700_000_000.0)
    budget.observe({**HEADERS, "X-RateLimit-Requests-Remaining": "2000"})
    assert budget.pause() == 0.0
    budget.observe({**HEADERS, "X-RateLimit-Requests-Remaining": "9"})
    with caplog.at_level(logging.INFO):
        assert budget.pause() == pytest.approx(30.0 / 9)
    assert "slowing-down" in caplog.text


def test_pacing_never_waits_longer_than_max_pause() -> None:
    budget = RateBudget(max_pause=2, clock=lambda: 1_700_000_000.0)
    budget.observe({**HEADERS, "X-RateLimit-Requests-Remaining": "1"})
    assert budget.pause() == 2


def test_a_wait_beyond_max_retry_after_says_how_long_and_which_setting_not_kept_failing(
    start_sandbox: Any, tmp_path: Path
) -> None:
    sandbox = start_sandbox(synthetic(5))
    sandbox.app.budget.block(3600)
    run = run_sync(linear_settings(sandbox.url, tmp_path, http={"max_retry_after": 1})).trackers[0]
    assert len(sandbox.requests) == 1  # one refused request, not "kept failing"
    message = run.error or ""
    assert "kept failing" not in message
    assert "max_retry_after" in message and "3600 s" in message
