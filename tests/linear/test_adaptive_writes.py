"""Adaptive write concurrency over real HTTP against the Linear sandbox: more writes in flight while Linear answers
cleanly, fewer when it refuses (a burst limit) or reports a budget near its end, and the same end state."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from connectors.linear.sandbox import DEMO_API_KEY, RateLimits, synthetic
from connectors.sandbox_http import SandboxRequest
from syncer.pipeline import run_sync
from tests.adaptive import InFlight, concurrency_log
from tests.linear.conftest import linear_settings

RETRY_FAST = {"backoff_initial": 0.01, "backoff_max": 0.05, "max_attempts": 10}


def _is_mutation(request: SandboxRequest) -> bool:
    return str(json.loads(request.body)["query"]).lstrip().startswith("mutation")


def _figures(caplog: Any) -> dict[str, int]:
    return concurrency_log(caplog, "linear.write-concurrency")


def _ratelimited(sandbox: Any) -> int:
    return sum(1 for r in sandbox.requests if r.status == 400 and not r.fault)


def test_writes_in_flight_grow_while_linear_answers_cleanly(start_sandbox: Any, tmp_path: Path, caplog: Any) -> None:
    ws = synthetic(120)
    sandbox = start_sandbox(ws)
    gauge = InFlight(sandbox.server.app, 0.03, _is_mutation)
    sandbox.server.app = gauge
    settings = linear_settings(sandbox.url, tmp_path, http={"write_concurrency": 2, "max_write_concurrency": 12})
    with caplog.at_level(logging.INFO, logger="connectors.linear.connector"):
        run = run_sync(settings).trackers[0]
    assert run.error is None and run.applied is not None and not run.applied.failures
    assert gauge.most > 2  # it did not stay at the configured start
    figures = _figures(caplog)
    assert figures["start"] == 2 and figures["peak"] > 2 and figures["throttled"] == 0
    assert _ratelimited(sandbox) == 0
    again = run_sync(settings).trackers[0]
    assert again.plan is not None and not again.plan.writes


def test_a_burst_limit_halves_the_writes_in_flight_and_the_run_still_converges(
    start_sandbox: Any, tmp_path: Path, caplog: Any
) -> None:
    ws = synthetic(40)
    sandbox = start_sandbox(ws, limits=RateLimits(burst=10))  # ten requests a second
    sandbox.server.app = InFlight(sandbox.server.app, 0.01, _is_mutation)
    http = {"write_concurrency": 8, "max_write_concurrency": 8, **RETRY_FAST}
    settings = linear_settings(sandbox.url, tmp_path, http=http)
    with caplog.at_level(logging.INFO, logger="connectors.linear.connector"):
        run = run_sync(settings).trackers[0]
    assert run.error is None and run.applied is not None and not run.applied.failures
    figures = _figures(caplog)
    assert figures["throttled"] > 0 and figures["end"] < 8
    assert _ratelimited(sandbox) > 0  # Linear really said RATELIMITED
    assert run.plan is not None and len(ws.attachments) == run.applied.issues_written == len(run.plan.writes)
    assert not run_sync(settings).trackers[0].plan.writes  # type: ignore[union-attr]


def test_a_budget_near_its_end_shrinks_the_writes_in_flight_before_any_refusal(
    start_sandbox: Any, tmp_path: Path, caplog: Any
) -> None:
    ws = synthetic(40)
    sandbox = start_sandbox(ws, limits=RateLimits(requests=10_000))
    sandbox.app.spend_as(DEMO_API_KEY, 8_500)  # another job of the same user left 15 % of the hour's requests
    settings = linear_settings(sandbox.url, tmp_path, http={"write_concurrency": 8, "max_write_concurrency": 16})
    with caplog.at_level(logging.INFO, logger="connectors.linear.connector"):
        run = run_sync(settings).trackers[0]
    assert run.error is None and run.applied is not None and not run.applied.failures
    figures = _figures(caplog)
    assert figures["throttled"] > 0 and figures["peak"] == 8 and figures["end"] == 1
    assert _ratelimited(sandbox) == 0  # it slowed down on the headers alone
