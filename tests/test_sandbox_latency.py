"""Sandbox latency: every answer waits, and concurrent requests wait side by side, as on a real site."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from connectors.sandbox_http import FaultConfig, SandboxHTTPServer, SandboxRequest, SandboxResponse


def _app(request: SandboxRequest) -> SandboxResponse:
    return SandboxResponse(200, {"path": request.path})


def test_latency_delays_each_answer_but_overlaps_concurrent_requests() -> None:
    with SandboxHTTPServer(_app, faults=FaultConfig(latency=0.3)) as server, httpx.Client() as client:
        started = time.perf_counter()
        assert client.get(f"{server.url}/one").json() == {"path": "/one"}
        single = time.perf_counter() - started
        started = time.perf_counter()
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda n: client.get(f"{server.url}/{n}").status_code, range(6)))
        together = time.perf_counter() - started
    assert single >= 0.3
    assert answers == [200] * 6
    assert together < 6 * 0.3 * 0.6  # side by side, not one after the other (1.8 s)


def test_negative_latency_is_refused() -> None:
    with pytest.raises(ValueError, match="latency"):
        FaultConfig(latency=-1)
