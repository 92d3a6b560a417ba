"""Reading Linear's rate-limit headers: how long to wait when refused, and when to slow down before that.

Every answer carries `X-RateLimit-Requests-{Limit,Remaining,Reset}` and `X-RateLimit-Complexity-{...}`
(plus `X-RateLimit-Endpoint-*` on endpoints with their own limit) and `X-Complexity`, the cost of the query.
The reset values are UTC epoch *milliseconds* (older docs said seconds, so values below 1e11 are read as
seconds). A refused request is HTTP 400 with `extensions.code == "RATELIMITED"`, not 429; `Retry-After` is not
documented, so the wait comes from the reset of the budget that ran out.

Two thresholds: below `NEAR_LIMIT` of a budget the writers halve how many writes they keep in flight (as Jira's
`X-RateLimit-NearLimit` makes them), below `LOW_WATER` each request also waits for its share to drip back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

BUDGETS = ("Requests", "Complexity", "Endpoint-Requests")
LOW_WATER = 0.05
"""Below this share of a budget left, requests are spread out over the time until its reset."""
NEAR_LIMIT = 0.2
"""Below this share of a budget left, concurrent writes are cut back (the share Jira Cloud flags as near its limit)."""
_MS_THRESHOLD = 1e11


@dataclass(frozen=True, slots=True)
class BudgetState:
    name: str
    limit: float | None
    remaining: float | None
    reset: float | None
    """Epoch seconds."""


def _number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def read_budgets(headers: Mapping[str, str]) -> list[BudgetState]:
    """The budgets an answer reports (httpx headers are case-insensitive)."""
    found = []
    for name in BUDGETS:
        prefix = f"X-RateLimit-{name}-"
        reset = _number(headers, prefix + "Reset")
        if reset is not None and reset > _MS_THRESHOLD:
            reset /= 1000.0
        state = BudgetState(name, _number(headers, prefix + "Limit"), _number(headers, prefix + "Remaining"), reset)
        if state.limit is not None or state.remaining is not None or state.reset is not None:
            found.append(state)
    return found


def near_limit(budgets: Iterable[BudgetState]) -> bool:
    """Whether any budget has less than `NEAR_LIMIT` of its limit left: time to send fewer requests at once."""
    return any(
        b.limit is not None and b.remaining is not None and b.limit > 0 and b.remaining < b.limit * NEAR_LIMIT
        for b in budgets
    )


def refill_rate(budget: BudgetState, now: float) -> float | None:
    """Units a second the budget comes back at, or None when its headers cannot say.

    Linear's budgets are leaky buckets refilled continuously at limit / period, and the reset names when the whole
    budget is back, so what is missing returns by then: (limit - remaining) / (reset - now). Were the reset only
    the moment the next unit is back, this overstates the rate; the caller then waits for the reset itself.
    """
    if budget.limit is None or budget.remaining is None or budget.reset is None or budget.reset <= now:
        return None
    missing = budget.limit - budget.remaining
    return missing / (budget.reset - now) if missing > 0 else None


def retry_after(headers: Mapping[str, str], now: float | None = None, *, patient: bool = False) -> float | None:
    """Seconds to wait after a RATELIMITED answer.

    The request budget is spent when nothing is left; the complexity budget when less is left than this query
    costs (`X-Complexity`). The wait is what the spent budget needs to drip back (one request, or this query's
    cost), at most until its reset; `patient` (a second refusal in a row) waits for the reset itself. When no
    budget looks spent (another client's burst, or a limit we cannot see), wait for the latest reset. None when
    the answer names no reset at all.
    """
    now = time.time() if now is None else now
    budgets = [b for b in read_budgets(headers) if b.reset is not None]
    if not budgets:
        return None
    cost = _number(headers, "X-Complexity") or 1.0
    spent = [
        b
        for b in budgets
        if b.remaining is not None and (b.remaining < 1 or (b.name == "Complexity" and b.remaining < cost))
    ]
    if spent and not patient:
        waits = []
        for budget in spent:
            if budget.reset is None or budget.remaining is None:
                continue
            need = (cost if budget.name == "Complexity" else 1.0) - budget.remaining
            rate = refill_rate(budget, now)
            until_reset = budget.reset - now
            waits.append(min(until_reset, need / rate) if rate else until_reset)
        return max(0.0, max(waits, default=0.0))
    resets = [b.reset for b in (spent or budgets) if b.reset is not None]
    return max(0.0, max(resets) - now)


class RateBudget:
    """Tracks the budget Linear reports and paces requests before it runs out.

    When less than `LOW_WATER` of a budget is left, requests go out no faster than the budget drips back
    (`refill_rate`): each waits for one request's worth, or one query's worth of complexity at the last seen
    cost. Without a rate (no limit or reset in the headers) the rest is spread until the reset.
    """

    def __init__(self, *, max_pause: float, clock: Callable[[], float] = time.time) -> None:
        self.max_pause = max_pause
        self.clock = clock
        self._budgets: dict[str, BudgetState] = {}
        self._last_cost = 1.0
        self._lock = threading.Lock()

    def observe(self, headers: Mapping[str, str]) -> bool:
        """Remember the budgets an answer reports; True when one of them is near its limit (`near_limit`)."""
        budgets = read_budgets(headers)
        cost = _number(headers, "X-Complexity")
        with self._lock:
            self._budgets.update((b.name, b) for b in budgets)
            if cost is not None:
                self._last_cost = max(cost, 1.0)
        if budgets:
            parts = " ".join(
                f"{b.name.lower()}={b.remaining:g}/{b.limit:g}"
                for b in budgets
                if b.remaining is not None and b.limit is not None
            )
            log.debug("linear.ratelimit remaining %s cost=%s", parts, cost)
        return near_limit(budgets)

    def states(self) -> list[BudgetState]:
        """The budgets as last reported (requests, complexity), for `syncer doctor`."""
        with self._lock:
            return list(self._budgets.values())

    def log_remaining(self, tracker: str) -> None:
        """One INFO line with what is left of each budget, so a run's log shows how close it came."""
        with self._lock:
            budgets = list(self._budgets.values())
        parts = [
            f"{b.name.lower()}={b.remaining:g}/{b.limit:g}"
            for b in budgets
            if b.remaining is not None and b.limit is not None
        ]
        if parts:
            log.info("linear.ratelimit.remaining tracker=%s %s", tracker, " ".join(parts))

    def pause(self) -> float:
        """Seconds to wait before the next request (0 while the budget is comfortable)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            budgets, cost = list(self._budgets.values()), self._last_cost
        for budget in budgets:
            if budget.limit is None or budget.remaining is None or budget.reset is None or budget.reset <= now:
                continue
            if budget.remaining >= budget.limit * LOW_WATER:
                continue
            need = cost if budget.name == "Complexity" else 1.0
            rate = refill_rate(budget, now)
            if rate:
                wait = max(wait, need / rate)
            else:
                wait = max(wait, (budget.reset - now) / max(budget.remaining / need, 1.0))
        wait = min(wait, self.max_pause)
        if wait > 0:
            log.info("linear.ratelimit.slowing-down wait=%.3fs (budget below %d%%)", wait, LOW_WATER * 100)
        return wait
