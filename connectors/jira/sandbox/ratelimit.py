"""Jira Cloud's rate limits, each with the 429 Atlassian documents for it (all off unless configured).

- burst: requests per second per endpoint and method (a token bucket), `RateLimit-Reason: jira-burst-based`;
- per-issue writes: writes to one issue per window, `jira-per-issue-on-write`;
- quota: requests per window for the whole tenant, `jira-quota-tenant-based` (stop until the reset).

A 429 carries `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset` (an ISO-8601 instant; Atlassian
prints it to the minute, `yyyy-MM-ddTHH:mmZ`), `X-RateLimit-NearLimit: true` and `RateLimit-Reason`; `Retry-After`
(whole seconds) only when `retry_after` is on, because Atlassian says it may be absent. Answers that pass carry
the limit and what remains of the tightest budget, with `X-RateLimit-NearLimit: true` under 20 %.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from connectors.sandbox_http import SandboxResponse

BURST, PER_ISSUE, QUOTA = "jira-burst-based", "jira-per-issue-on-write", "jira-quota-tenant-based"
_ENDPOINT = re.compile(r"/(?:[A-Z][A-Z0-9_]*-\d+|\d+)(?=/|$)")


@dataclass
class RateLimits:
    burst: int | None = None
    """Requests per second per endpoint and method (also the bucket's size)."""
    per_issue_writes: int | None = None
    """Writes (PUT/POST/DELETE under /issue/{key}) to one issue per `per_issue_window` seconds."""
    per_issue_window: float = 1.0
    quota: int | None = None
    """Requests per `quota_window` seconds for the tenant."""
    quota_window: float = 3600.0
    retry_after: bool = True
    """Send Retry-After on a 429; False leaves only X-RateLimit-Reset to go by."""
    reset_precision: Literal["minute", "second"] = "minute"

    @property
    def enabled(self) -> bool:
        return any(v is not None for v in (self.burst, self.per_issue_writes, self.quota))


@dataclass
class _Budget:
    limit: int
    remaining: float
    reset: float
    """Monotonic time at which the budget is whole again (or the next request fits)."""


class RateLimiter:
    def __init__(
        self,
        limits: RateLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.wall = wall
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        """endpoint -> (tokens, last refill)."""
        self._writes: dict[str, deque[float]] = defaultdict(deque)
        self._quota_start: float | None = None
        self._quota_used = 0
        self.refused: list[tuple[str, str]] = []
        """(reason, "METHOD /path") of every 429 sent, for tests."""

    # -- the three limits -----------------------------------------------------------------------------------

    def _burst(self, endpoint: str, now: float) -> _Budget | None:
        rate = self.limits.burst
        if rate is None:
            return None
        tokens, last = self._buckets.get(endpoint, (float(rate), now))
        tokens = min(float(rate), tokens + (now - last) * rate)
        self._buckets[endpoint] = (tokens, now)
        return _Budget(rate, tokens, now + max(0.0, 1.0 - tokens) / rate)

    def _per_issue(self, issue: str | None, write: bool, now: float) -> _Budget | None:
        limit = self.limits.per_issue_writes
        if limit is None or issue is None or not write:
            return None
        window = self.limits.per_issue_window
        times = self._writes[issue]
        while times and times[0] <= now - window:
            times.popleft()
        reset = times[0] + window if len(times) >= limit else now
        return _Budget(limit, limit - len(times), reset)

    def _quota(self, now: float) -> _Budget | None:
        limit = self.limits.quota
        if limit is None:
            return None
        window = self.limits.quota_window
        if self._quota_start is None or now >= self._quota_start + window:
            self._quota_start, self._quota_used = now, 0
        return _Budget(limit, limit - self._quota_used, self._quota_start + window)

    # -- entry ----------------------------------------------------------------------------------------------

    def check(self, method: str, path: str, issue: str | None) -> tuple[SandboxResponse | None, dict[str, str]]:
        """A 429 when a limit is spent (nothing is charged); else None and the headers for the answer."""
        if not self.limits.enabled:
            return None, {}
        endpoint = f"{method} {_ENDPOINT.sub('/{id}', path)}"
        write = method in ("PUT", "POST", "DELETE") and issue is not None
        with self._lock:
            now = self.clock()
            budgets = [
                (BURST, self._burst(endpoint, now)),
                (PER_ISSUE, self._per_issue(issue, write, now)),
                (QUOTA, self._quota(now)),
            ]
            for reason, budget in budgets:
                if budget is not None and budget.remaining < 1:
                    self.refused.append((reason, f"{method} {path}"))
                    return self._refusal(reason, budget, now), {}
            tokens, last = self._buckets.get(endpoint, (0.0, now))
            if self.limits.burst is not None:
                self._buckets[endpoint] = (tokens - 1, last)
            if write and self.limits.per_issue_writes is not None and issue is not None:
                self._writes[issue].append(now)
            if self.limits.quota is not None:
                self._quota_used += 1
        return None, self._headers([b for _r, b in budgets if b is not None])

    @staticmethod
    def _headers(budgets: list[_Budget]) -> dict[str, str]:
        """For an answer that passed: the tightest budget, this request charged."""
        if not budgets:
            return {}
        tight = min(budgets, key=lambda b: b.remaining / b.limit)
        remaining = max(0, math.floor(tight.remaining) - 1)
        near = remaining < 0.2 * tight.limit
        return {
            "X-RateLimit-Limit": str(tight.limit),
            "X-RateLimit-Remaining": str(remaining),
            **({"X-RateLimit-NearLimit": "true"} if near else {}),
        }

    def _refusal(self, reason: str, budget: _Budget, now: float) -> SandboxResponse:
        wait = max(0.0, budget.reset - now)
        reset = self.wall() + timedelta(seconds=wait)
        if self.limits.reset_precision == "minute":
            # Printed to the minute: round up, so a client waiting until then never comes back early.
            reset = (reset + timedelta(minutes=1)).replace(second=0, microsecond=0)
            stamp = reset.strftime("%Y-%m-%dT%H:%MZ")
        else:
            reset = reset.replace(microsecond=0) + timedelta(seconds=1)
            stamp = reset.strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "RateLimit-Reason": reason,
            "X-RateLimit-Limit": str(budget.limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": stamp,
            "X-RateLimit-NearLimit": "true",
        }
        if self.limits.retry_after:
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return SandboxResponse(429, {"errorMessages": ["Rate limit exceeded."], "errors": {}}, headers)
