"""Rate limits: a RATELIMITED answer (HTTP 400, not 429) is waited out until its epoch-ms reset; the worker
slows down before its budget runs out; waits longer than `[http] max_retry_after` are not sat through."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.linear.ratelimit import RateBudget, near_limit, read_budgets, retry_after
from connectors.linear.sandbox import DEMO_API_KEY, RateLimits, synthetic
from connectors.linear.sandbox.budget import Budget
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


def test_the_wait_is_what_one_request_needs_to_drip_back_and_a_second_refusal_waits_for_the_reset() -> None:
    # Leaky bucket: the 2,500 missing requests are back by the reset (epoch ms), 30 s away: one is back in 12 ms.
    assert retry_after(HEADERS, now=1_700_000_000.0) == pytest.approx(30.0 / 2500)
    assert retry_after(HEADERS, now=1_700_000_000.0, patient=True) == pytest.approx(30.0)


def test_a_spent_complexity_budget_waits_for_what_the_query_costs() -> None:
    headers = {**HEADERS, "X-RateLimit-Requests-Remaining": "10", "X-RateLimit-Complexity-Remaining": "50"}
    rate = (3_000_000 - 50) / 3600
    assert retry_after(headers, now=1_700_000_000.0) == pytest.approx((120 - 50) / rate)
    assert retry_after(headers, now=1_700_000_000.0, patient=True) == pytest.approx(3600.0)


def test_reset_in_seconds_is_still_understood() -> None:
    headers = {**HEADERS, "X-RateLimit-Requests-Reset": "1700000030"}
    assert retry_after(headers, now=1_700_000_000.0, patient=True) == pytest.approx(30.0)


def test_no_reset_header_means_no_server_wait() -> None:
    assert retry_after({"X-Complexity": "3"}) is None
    assert read_budgets({}) == []


def test_pacing_goes_no_faster_than_the_budget_drips_back(caplog: pytest.LogCaptureFixture) -> None:
    budget = RateBudget(max_pause=60, clock=lambda: 1_700_000_000.0)
    budget.observe({**HEADERS, "X-RateLimit-Requests-Remaining": "2000"})
    assert budget.pause() == 0.0
    budget.observe({**HEADERS, "X-RateLimit-Requests-Remaining": "9"})
    with caplog.at_level(logging.INFO):
        assert budget.pause() == pytest.approx(30.0 / (2500 - 9))
    assert "slowing-down" in caplog.text


def test_pacing_never_waits_longer_than_max_pause() -> None:
    budget = RateBudget(max_pause=2, clock=lambda: 1_700_000_000.0)
    # 2,499 requests back in 10,000 s: one every 4 s, more than max_pause.
    slow = {"X-RateLimit-Requests-Remaining": "1", "X-RateLimit-Requests-Reset": str((1_700_000_000 + 10_000) * 1000)}
    budget.observe({**HEADERS, **slow})
    assert budget.pause() == 2


def test_a_wait_beyond_max_retry_after_says_how_long_and_which_setting_not_kept_failing(
    start_sandbox: Any, tmp_path: Path
) -> None:
    # 10 requests an hour: the refused request needs 360 s to drip back.
    sandbox = start_sandbox(synthetic(5), limits=RateLimits(requests=10, window=3600))
    sandbox.app.budget.block(3600)
    run = run_sync(linear_settings(sandbox.url, tmp_path, http={"max_retry_after": 1})).trackers[0]
    assert len(sandbox.requests) == 1  # one refused request, not "kept failing"
    message = run.error or ""
    assert "kept failing" not in message
    assert "max_retry_after" in message and "360 s" in message


# ----- Linear's leaky bucket per user, shared by the user's keys ------------------------------------------------

OTHER_KEY = "lin_api_other_key_of_the_same_user"


def _ask(url: str, key: str) -> httpx.Response:
    return httpx.post(url, json={"query": "{ viewer { id } }"}, headers={"Authorization": key})


def test_every_key_of_a_user_draws_on_one_budget(start_sandbox: Any) -> None:
    ws = synthetic(1)
    sandbox = start_sandbox(
        ws, api_keys={DEMO_API_KEY: ws.viewer_id, OTHER_KEY: ws.viewer_id}, limits=RateLimits(requests=5, window=3600)
    )
    assert [_ask(sandbox.url, OTHER_KEY).status_code for _ in range(5)] == [200] * 5
    refused = _ask(sandbox.url, DEMO_API_KEY)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATELIMITED"
    assert refused.headers["X-RateLimit-Requests-Remaining"] == "0"


def test_a_key_of_another_user_has_its_own_budget(start_sandbox: Any) -> None:
    ws = synthetic(1)
    someone = ws.add_user("Someone Else")
    sandbox = start_sandbox(
        ws, api_keys={DEMO_API_KEY: ws.viewer_id, OTHER_KEY: someone["id"]}, limits=RateLimits(requests=3)
    )
    assert [_ask(sandbox.url, OTHER_KEY).status_code for _ in range(4)] == [200, 200, 200, 400]
    assert _ask(sandbox.url, DEMO_API_KEY).status_code == 200


def test_the_budget_drips_back_continuously_not_at_a_window_end(start_sandbox: Any) -> None:
    sandbox = start_sandbox(synthetic(1), limits=RateLimits(requests=4, window=20.0))  # one request per 5 s
    now = [1_800_000_000.0]
    sandbox.app.budget.clock = lambda: now[0]
    answers = [_ask(sandbox.url, DEMO_API_KEY) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 400]
    # The reset names when the whole budget is back: a full period after it was emptied.
    assert answers[-1].headers["X-RateLimit-Requests-Reset"] == str(int((now[0] + 20.0) * 1000))
    now[0] += 5.0  # one request's worth drips back, long before the reset
    again = _ask(sandbox.url, DEMO_API_KEY)
    assert again.status_code == 200
    assert again.headers["X-RateLimit-Requests-Remaining"] == "0"
    assert _ask(sandbox.url, DEMO_API_KEY).status_code == 400
    now[0] += 20.0
    assert _ask(sandbox.url, DEMO_API_KEY).headers["X-RateLimit-Requests-Remaining"] == "3"  # full, never more


def test_the_connector_paces_itself_on_a_bucket_another_key_of_its_user_drained(
    start_sandbox: Any, tmp_path: Path
) -> None:
    ws = synthetic(40)
    limits = RateLimits(requests=200, complexity=1_000_000, window=40.0)  # refills 5 requests a second
    sandbox = start_sandbox(ws, api_keys={DEMO_API_KEY: ws.viewer_id, OTHER_KEY: ws.viewer_id}, limits=limits)
    sandbox.reset_log()
    sandbox.app.spend_as(OTHER_KEY, 200)  # another job of the same user, with its own key, spent it all
    settings = linear_settings(sandbox.url, tmp_path, page_size=10, http={"write_concurrency": 1, "max_retry_after": 5})
    started = time.monotonic()
    run = run_sync(settings).trackers[0]
    elapsed = time.monotonic() - started
    assert run.error is None and run.applied is not None and not run.applied.failures
    answered = len(sandbox.requests)
    refused = sum(1 for r in sandbox.requests if r.status == 400)
    assert answered - refused == len(sandbox.operations) > 20
    # It spends what drips back (5 a second), about the refill time of what it needed, and is refused only a
    # few times; spreading what is left over the time until the bucket is full would take 40 s per request.
    assert refused <= 3
    assert elapsed < (answered - refused) / 5 + 3


# ----- the sandbox's burst limit, and the signal that makes writers send fewer at once ----------------------


def test_the_burst_limit_refuses_a_flood_reports_itself_as_an_endpoint_limit_and_drips_back() -> None:
    now = [1_800_000_000.0]
    budget = Budget(RateLimits(burst=2), clock=lambda: now[0])
    first, second, third = (budget.charge("user:u", 1) for _ in range(3))
    assert (first.allowed, second.allowed, third.allowed) == (True, True, False)
    assert third.headers["X-RateLimit-Endpoint-Name"] == "burst"
    assert third.headers["X-RateLimit-Endpoint-Requests-Remaining"] == "0"
    assert third.headers["X-RateLimit-Requests-Remaining"] == "2498"  # the hour's budget is nowhere near spent
    # The client reads the wait from the spent endpoint budget: one request's worth, half a second at 2 a second.
    assert retry_after(third.headers, now=now[0]) == pytest.approx(0.5, abs=0.002)
    now[0] += 0.5
    assert budget.charge("user:u", 1).allowed
    assert "X-RateLimit-Endpoint-Name" not in Budget(RateLimits(), clock=lambda: now[0]).charge("user:u", 1).headers


def test_a_budget_under_a_fifth_of_its_limit_is_near_its_limit() -> None:
    assert not near_limit(read_budgets({**HEADERS, "X-RateLimit-Requests-Remaining": "500"}))
    assert near_limit(read_budgets({**HEADERS, "X-RateLimit-Requests-Remaining": "499"}))
    complexity_low = {**HEADERS, "X-RateLimit-Requests-Remaining": "2000", "X-RateLimit-Complexity-Remaining": "10"}
    assert near_limit(read_budgets(complexity_low))
    assert not near_limit(read_budgets({"X-Complexity": "3"}))
