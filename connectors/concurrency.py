"""Adaptive write concurrency: as many writes in flight as the tracker takes without throttling, and no more.

TCP's rule (additive increase, multiplicative decrease): start at the configured concurrency; after a run of
answers without throttling (twice as many as the current limit) allow one more write in flight, up to the
ceiling; on a sign of throttling (a 429, Jira's `X-RateLimit-NearLimit: true`, a Linear budget running low)
halve the limit, never below one. Writes already in flight when the limit was halved may still bring back 429s
of the same burst: those do not halve it again (each write remembers, per thread, the generation of the limit
it started under, so the HTTP client that sees the 429 needs no handle on the write). A tracker that answers
slowly but never throttles is driven to the ceiling, where overlapping round trips hide its latency; one that
throttles settles just under its limit.

`map_adaptive` runs a connector's writes under one: a pool as large as the ceiling, each write holding a place.
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class AdaptiveLimit:
    """A semaphore whose size follows the tracker's answers. Use as a context manager around one write."""

    def __init__(self, start: int, ceiling: int) -> None:
        if start < 1 or ceiling < start:
            raise ValueError("need 1 <= start <= ceiling")
        self.start = start
        self.limit = start
        self.ceiling = ceiling
        self.peak = start
        """The highest limit reached, for the run's log and metrics."""
        self.throttles = 0
        self._in_flight = 0
        self._clean = 0
        self._generation = 0
        self._local = threading.local()
        self._cond = threading.Condition()

    def __enter__(self) -> AdaptiveLimit:
        with self._cond:
            self._cond.wait_for(lambda: self._in_flight < self.limit)
            self._in_flight += 1
            self._local.generation = self._generation
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def answered(self) -> None:
        """A request was answered without any sign of throttling."""
        with self._cond:
            self._clean += 1
            if self._clean >= 2 * self.limit and self.limit < self.ceiling:
                self.limit += 1
                self.peak = max(self.peak, self.limit)
                self._clean = 0
                self._cond.notify_all()

    def throttled(self) -> None:
        """The tracker said slow down (429, near its limit, a low budget): halve the writes in flight."""
        with self._cond:
            self.throttles += 1
            self._clean = 0
            started_in = getattr(self._local, "generation", self._generation)
            if started_in != self._generation:
                return  # the same burst, already answered by the last halving
            self.limit = max(1, self.limit // 2)
            self._generation += 1
            self._local.generation = self._generation

    def summary(self) -> str:
        """`start=4 peak=9 end=6 throttled=3`, for the log line each connector writes after its writes."""
        return f"start={self.start} peak={self.peak} end={self.limit} throttled={self.throttles}"


def map_adaptive(work: Callable[[T], R], items: Sequence[T], limit: AdaptiveLimit, *, name: str) -> list[R]:
    """`work(item)` for every item, in order, with at most `limit.limit` running at once (threads named `name`).

    Each call runs in a copy of the caller's context, so its log lines and metrics keep the run's tracker name.
    Items are handed to the pool a few at a time (twice the ceiling ahead of the oldest unfinished one): handing
    over all of them at once held a future, a condition and a work item per write (about 1 KB each, 50 MB at
    50,000 writes). When a call raises, the items not started yet are dropped and the exception propagates once
    the calls in flight have finished.
    """

    def guarded(item: T) -> R:
        with limit:
            return work(item)

    results: list[R] = []
    ahead = 2 * limit.ceiling
    with ThreadPoolExecutor(max_workers=limit.ceiling, thread_name_prefix=name) as pool:
        context = contextvars.copy_context()
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(context.copy().run, guarded, item))
                if len(pending) >= ahead:
                    results.append(pending.popleft().result())
            while pending:
                results.append(pending.popleft().result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return results
