"""The sandbox's rate limits: a request budget and a complexity budget per credential, with Linear's headers.

Linear describes a leaky bucket; the sandbox uses fixed windows instead so that the `*-Reset` header names an
exact moment (epoch milliseconds, as Linear sends) after which the full budget is back. Rejected requests are
not charged. `block(seconds)` empties every budget until a moment a few ms ahead, as if another client using
the same key had spent it, which is how tests stage a RATELIMITED answer without thousands of requests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimits:
    """Per credential; the defaults are Linear's published API-key limits (2,500 requests, 3M points an hour)."""

    requests: int = 2_500
    complexity: int = 3_000_000
    window: float = 3_600.0
    """Seconds."""


@dataclass
class _Window:
    ends: float
    requests: float
    complexity: float


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]
    requests_left: float
    complexity_left: float
    reset: float
    """Epoch seconds."""


@dataclass
class Budget:
    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.time
    _windows: dict[str, _Window] = field(default_factory=dict)
    _blocked_until: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def block(self, seconds: float) -> None:
        """Answer RATELIMITED to everyone until `seconds` from now; then every budget starts full."""
        with self._lock:
            self._blocked_until = self.clock() + seconds
            self._windows.clear()

    def _window(self, key: str, now: float) -> _Window:
        window = self._windows.get(key)
        if window is None or now >= window.ends:
            window = _Window(now + self.limits.window, float(self.limits.requests), float(self.limits.complexity))
            self._windows[key] = window
        return window

    def charge(self, key: str, cost: int) -> Verdict:
        """Spend one request and `cost` points for `key`, or refuse when either budget cannot cover it."""
        with self._lock:
            now = self.clock()
            if now < self._blocked_until:
                return self._verdict(False, cost, 0.0, 0.0, self._blocked_until)
            window = self._window(key, now)
            allowed = window.requests >= 1 and window.complexity >= cost
            if allowed:
                window.requests -= 1
                window.complexity -= cost
            return self._verdict(allowed, cost, window.requests, window.complexity, window.ends)

    def status(self, key: str) -> tuple[float, float, float]:
        """Remaining requests, remaining complexity and the reset moment (epoch seconds) for `key`."""
        with self._lock:
            now = self.clock()
            if now < self._blocked_until:
                return 0.0, 0.0, self._blocked_until
            window = self._window(key, now)
            return window.requests, window.complexity, window.ends

    def _verdict(self, allowed: bool, cost: int, requests: float, complexity: float, reset: float) -> Verdict:
        reset_ms = str(int(reset * 1000))
        headers = {
            "X-Complexity": str(cost),
            "X-RateLimit-Requests-Limit": str(self.limits.requests),
            "X-RateLimit-Requests-Remaining": str(int(requests)),
            "X-RateLimit-Requests-Reset": reset_ms,
            "X-RateLimit-Complexity-Limit": str(self.limits.complexity),
            "X-RateLimit-Complexity-Remaining": str(int(complexity)),
            "X-RateLimit-Complexity-Reset": reset_ms,
        }
        return Verdict(allowed, headers, requests, complexity, reset)
