"""Adaptive write concurrency over real HTTP: more writes in flight while Jira answers cleanly, fewer when it
starts refusing (burst limit), and the same end state either way."""

from __future__ import annotations

import logging
from typing import Any

from connectors.jira.sandbox import RateLimits, seed
from connectors.sandbox_http import SandboxRequest
from syncer.pipeline import run_sync
from tests.adaptive import InFlight, concurrency_log

from .conftest import jira_settings


def _is_write(request: SandboxRequest) -> bool:
    return request.method in ("PUT", "POST") and "/search" not in request.path


def _concurrency_log(caplog: Any) -> dict[str, int]:
    return concurrency_log(caplog, "jira.write-concurrency")


def test_writes_in_flight_grow_while_jira_answers_cleanly(serve, caplog) -> None:
    _sandbox, server = serve(seed.synthetic(120, mode="cloud"))
    gauge = InFlight(server.app, 0.03, _is_write)
    server.app = gauge
    http = {"write_concurrency": 8, "max_write_concurrency": 16}
    with caplog.at_level(logging.INFO, logger="connectors.jira.writer"):
        report = run_sync(jira_settings(server.url, deployment="cloud", http=http))
    run = report.trackers[0]
    assert run.error is None and run.applied is not None and not run.applied.failures
    assert gauge.most > 10  # it did not stay at the configured start, and went past requests' default pool
    assert _concurrency_log(caplog)["peak"] > 10
    # Every write in flight has a pooled connection to come back to: none is discarded and opened again.
    assert not [r for r in caplog.records if "Connection pool is full" in r.getMessage()]
    again = run_sync(jira_settings(server.url, deployment="cloud", http=http)).trackers[0]
    assert again.plan is not None and not again.plan.writes


def test_a_burst_limit_halves_the_writes_in_flight_and_the_run_still_converges(serve, caplog) -> None:
    sandbox, server = serve(seed.synthetic(15, mode="cloud"), rate_limits=RateLimits(burst=3))
    server.app = InFlight(server.app, 0.01, _is_write)
    http = {"write_concurrency": 8, "max_write_concurrency": 8, "backoff_initial": 0.05, "backoff_max": 0.2}
    with caplog.at_level(logging.INFO, logger="connectors.jira.writer"):
        report = run_sync(jira_settings(server.url, deployment="cloud", http=http))
    run = report.trackers[0]
    assert run.error is None and run.applied is not None and not run.applied.failures
    figures = _concurrency_log(caplog)
    assert figures["throttled"] > 0 and figures["end"] < 8
    assert sandbox.app.limiter.refused  # Jira really said 429
    comments = [c for i in sandbox.state.issues for c in i.comments]
    assert len(comments) == sum(1 for r in run.results.values())  # one comment per ranked issue, none twice
