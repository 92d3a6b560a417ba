"""The sandbox's rate limits, as Linear documents them: leaky buckets per user, shared by all of its keys.

Linear (linear.app/developers/rate-limiting): a request budget and a complexity budget per *user* — every API
key of that user draws on the same ones — refilled continuously at limit / period, so spending stops being
refused as soon as enough has dripped back, not at a window's end. The sandbox keeps two buckets per user:
- a request needs one token from the request bucket and its complexity from the complexity bucket; a refused
  request takes nothing;
- `X-RateLimit-*-Remaining` is what is in the bucket now, `-Reset` the moment (epoch milliseconds) it will be
  full again if nothing more is spent: Linear calls it the time the limit resets, and for a bucket that refills
  continuously that is when the whole budget is back;
- `block(seconds)` refuses everyone for `seconds` from the next request on (the reset headers name the end) and
  then lets the buckets start full: how tests stage "another client spent it" without thousands of requests.
OAuth tokens get a bucket per token (per app-user, as far as the sandbox knows who that is).

A burst limit (`RateLimits.burst`, off unless configured): requests per second per user, a third leaky bucket
holding that many. Linear documents only the hourly buckets, which a burst of a few hundred requests does not
empty, so on its own the sandbox would never punish a client that floods it with concurrent writes; the burst
limit does, as an API behind a gateway would. It is reported the way Linear reports a limit of its own
(documented for endpoints with lower limits): `X-RateLimit-Endpoint-Requests-{Limit,Remaining,Reset}` and
`X-RateLimit-Endpoint-Name: burst` on every answer, RATELIMITED when it is empty.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimits:
    """Per user; the defaults are Linear's published API-key limits (2,500 requests, 3M points an hour)."""

    requests: int = 2_500
    complexity: int = 3_000_000
    window: float = 3_600.0
    """Seconds an empty bucket takes to fill again (Linear's LIMIT_PERIOD)."""
    burst: int | None = None
    """Requests per second per user (a bucket of that many, refilled continuously); None: no burst limit."""


@dataclass
class _Bucket:
    capacity: float
    period: float
    level: float
    at: float

    @property
    def rate(self) -> float:
        return self.capacity / self.period

    def drip(self, now: float) -> None:
        if now > self.at:
            self.level = min(self.capacity, self.level + (now - self.at) * self.rate)
            self.at = now

    def full_at(self) -> float:
        return self.at + (self.capacity - self.level) / self.rate


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]
    requests_left: float
    complexity_left: float
    reset: float
    """Epoch seconds: when both buckets are full again."""


@dataclass
class Budget:
    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.time
    _buckets: dict[str, tuple[_Bucket, _Bucket, _Bucket | None]] = field(default_factory=dict)
    _blocked_until: float = 0.0
    _block_for: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def block(self, seconds: float) -> None:
        """Answer RATELIMITED to everyone for `seconds`, counted from the next request (so a slow start of the
        client does not eat the block); then every bucket starts full."""
        with self._lock:
            self._block_for = seconds
            self._buckets.clear()

    def _blocked(self, now: float) -> bool:
        if self._block_for is not None:
            self._blocked_until, self._block_for = now + self._block_for, None
        return now < self._blocked_until

    def _pair(self, owner: str, now: float) -> tuple[_Bucket, _Bucket, _Bucket | None]:
        """`owner`'s request, complexity and burst buckets (the last None without a burst limit), dripped to now."""
        pair = self._buckets.get(owner)
        if pair is None:
            limits = self.limits
            burst = float(limits.burst) if limits.burst is not None else None
            pair = (
                _Bucket(float(limits.requests), limits.window, float(limits.requests), now),
                _Bucket(float(limits.complexity), limits.window, float(limits.complexity), now),
                _Bucket(burst, 1.0, burst, now) if burst is not None else None,
            )
            self._buckets[owner] = pair
        for bucket in pair:
            if bucket is not None:
                bucket.drip(now)
        return pair

    def spend(self, owner: str, requests: float, complexity: float = 0.0) -> None:
        """Take from `owner`'s buckets at once (never below empty): another client of the same user at work."""
        with self._lock:
            bucket_requests, bucket_complexity, _burst = self._pair(owner, self.clock())
            bucket_requests.level = max(0.0, bucket_requests.level - requests)
            bucket_complexity.level = max(0.0, bucket_complexity.level - complexity)

    def charge(self, owner: str, cost: int) -> Verdict:
        """Spend one request and `cost` points from `owner`'s buckets, or refuse when either is short."""
        with self._lock:
            now = self.clock()
            if self._blocked(now):
                return self._verdict(False, cost, 0.0, 0.0, self._blocked_until, self._blocked_until)
            requests, complexity, burst = self._pair(owner, now)
            allowed = requests.level >= 1 and complexity.level >= cost and (burst is None or burst.level >= 1)
            if allowed:
                requests.level -= 1
                complexity.level -= cost
                if burst is not None:
                    burst.level -= 1
            verdict = self._verdict(
                allowed, cost, requests.level, complexity.level, requests.full_at(), complexity.full_at()
            )
            if burst is not None:
                verdict.headers.update(
                    {
                        "X-RateLimit-Endpoint-Name": "burst",
                        "X-RateLimit-Endpoint-Requests-Limit": str(self.limits.burst),
                        "X-RateLimit-Endpoint-Requests-Remaining": str(math.floor(burst.level)),
                        "X-RateLimit-Endpoint-Requests-Reset": str(math.ceil(burst.full_at() * 1000)),
                    }
                )
            return verdict

    def status(self, owner: str) -> tuple[float, float, float]:
        """What is left in `owner`'s request and complexity buckets, and when both are full (epoch seconds)."""
        with self._lock:
            now = self.clock()
            if self._blocked(now):
                return 0.0, 0.0, self._blocked_until
            requests, complexity, _burst = self._pair(owner, now)
            return requests.level, complexity.level, max(requests.full_at(), complexity.full_at())

    def _verdict(
        self, allowed: bool, cost: int, requests: float, complexity: float, requests_full: float, complexity_full: float
    ) -> Verdict:
        headers = {
            "X-Complexity": str(cost),
            "X-RateLimit-Requests-Limit": str(self.limits.requests),
            "X-RateLimit-Requests-Remaining": str(math.floor(requests)),
            "X-RateLimit-Requests-Reset": str(math.ceil(requests_full * 1000)),
            "X-RateLimit-Complexity-Limit": str(self.limits.complexity),
            "X-RateLimit-Complexity-Remaining": str(math.floor(complexity)),
            "X-RateLimit-Complexity-Reset": str(math.ceil(complexity_full * 1000)),
        }
        return Verdict(allowed, headers, requests, complexity, max(requests_full, complexity_full))
