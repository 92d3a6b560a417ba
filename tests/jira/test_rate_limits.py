"""Jira Cloud's rate-limit answers in all their documented shapes, and syncer waiting for them as told."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import requests

from connectors.jira.sandbox import RateLimits, seed
from connectors.jira.sandbox.ratelimit import BURST, PER_ISSUE, QUOTA
from syncer.pipeline import run_sync

from .conftest import EMAIL, TOKEN, jira_settings


def _get(url: str) -> requests.Response:
    return requests.get(url, auth=(EMAIL, TOKEN), timeout=5)


def test_burst_429_carries_every_documented_header(serve) -> None:
    _sandbox, server = serve(seed.synthetic(3), rate_limits=RateLimits(burst=2))
    url = f"{server.url}/rest/api/3/field"
    first, second, third = _get(url), _get(url), _get(url)
    assert first.status_code == 200 and first.headers["X-RateLimit-Limit"] == "2"
    assert second.headers["X-RateLimit-NearLimit"] == "true" and second.headers["X-RateLimit-Remaining"] == "0"
    assert third.status_code == 429
    assert third.headers["RateLimit-Reason"] == BURST and third.headers["Retry-After"] == "1"
    assert third.headers["X-RateLimit-Remaining"] == "0" and third.headers["X-RateLimit-NearLimit"] == "true"
    reset = datetime.strptime(third.headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    assert reset > datetime.now(UTC)  # printed to the minute, rounded up
    assert _get(f"{server.url}/rest/api/3/status").status_code == 200  # the burst limit is per endpoint


def test_quota_and_per_issue_limits_name_their_reason_and_may_omit_retry_after(serve) -> None:
    limits = RateLimits(per_issue_writes=1, per_issue_window=60, quota=4, quota_window=60, retry_after=False)
    _sandbox, server = serve(seed.synthetic(3), rate_limits=limits)
    prop = f"{server.url}/rest/api/3/issue/ACME-1/properties/p"
    assert requests.put(prop, json={"a": 1}, auth=(EMAIL, TOKEN), timeout=5).status_code == 201
    per_issue = requests.put(prop, json={"a": 2}, auth=(EMAIL, TOKEN), timeout=5)
    assert per_issue.status_code == 429 and per_issue.headers["RateLimit-Reason"] == PER_ISSUE
    assert "Retry-After" not in per_issue.headers and "X-RateLimit-Reset" in per_issue.headers
    other_issue = f"{server.url}/rest/api/3/issue/ACME-2/properties/p"
    assert requests.put(other_issue, json={"a": 1}, auth=(EMAIL, TOKEN), timeout=5).status_code == 201
    for _ in range(2):
        _get(f"{server.url}/rest/api/3/field")
    quota = _get(f"{server.url}/rest/api/3/field")
    assert quota.status_code == 429 and quota.headers["RateLimit-Reason"] == QUOTA


def _refused_twice(sandbox) -> list[str]:
    per_request = Counter(target for _reason, target in sandbox.app.limiter.refused)
    return [target for target, n in per_request.items() if n > 1]


def test_syncer_waits_until_x_ratelimit_reset_when_retry_after_is_absent(serve) -> None:
    limits = RateLimits(quota=8, quota_window=1.0, retry_after=False, reset_precision="second")
    sandbox, server = serve(seed.synthetic(5, mode="cloud"), rate_limits=limits)

    report = run_sync(jira_settings(server.url, deployment="cloud"))

    run = report.trackers[0]
    assert run.error is None and run.applied is not None and run.applied.failures == (), (run.error, run.applied)
    assert sandbox.app.limiter.refused, "the run never met the quota; the test proves nothing"
    assert _refused_twice(sandbox) == []  # each refused request came back only after the reset


def test_syncer_honours_the_per_issue_write_limit(serve) -> None:
    limits = RateLimits(per_issue_writes=1, per_issue_window=1.0, retry_after=False, reset_precision="second")
    sandbox, server = serve(seed.synthetic(4, mode="cloud"), rate_limits=limits)

    report = run_sync(jira_settings(server.url, deployment="cloud"))

    run = report.trackers[0]
    assert run.error is None and run.applied is not None and run.applied.failures == (), (run.error, run.applied)
    assert {reason for reason, _ in sandbox.app.limiter.refused} == {PER_ISSUE}
    assert _refused_twice(sandbox) == []
    assert all(i.comments and i.values.get(seed.SCORE) is not None for i in sandbox.state.issues if i.status != "10003")
