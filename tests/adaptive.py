"""Shared by the adaptive write-concurrency tests of every tracker: a sandbox wrapper that makes writes take a
round trip and counts how many are in flight, and the figures each connector logs after its writes."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from connectors.sandbox_http import SandboxRequest, SandboxResponse


class InFlight:
    """Wraps a sandbox app: each write (`is_write`) takes `seconds` (a round trip); the most at once is kept."""

    def __init__(self, app: Any, seconds: float, is_write: Callable[[SandboxRequest], bool]) -> None:
        self.app, self.seconds, self.is_write = app, seconds, is_write
        self.now = self.most = 0
        self.lock = threading.Lock()

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        if not self.is_write(request):
            return self.app(request)  # type: ignore[no-any-return]
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(self.seconds)
            return self.app(request)  # type: ignore[no-any-return]
        finally:
            with self.lock:
                self.now -= 1


def concurrency_log(caplog: Any, event: str) -> dict[str, int]:
    """The figures of the `<event> start=.. peak=.. end=.. throttled=..` line a connector logs after writing."""
    line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith(event))
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
