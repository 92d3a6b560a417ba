"""Adaptive write concurrency: grows while the tracker answers cleanly, halves once per burst of throttling."""

from __future__ import annotations

import gc
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from connectors.concurrency import AdaptiveLimit, map_adaptive


def test_grows_by_one_after_two_clean_rounds_up_to_the_ceiling() -> None:
    limit = AdaptiveLimit(start=2, ceiling=4)
    for _ in range(3):
        limit.answered()
    assert limit.limit == 2
    limit.answered()  # 4 clean answers = twice the limit of 2
    assert limit.limit == 3
    for _ in range(100):
        limit.answered()
    assert (limit.limit, limit.peak) == (4, 4)


def test_a_throttle_halves_it_once_per_burst() -> None:
    limit = AdaptiveLimit(start=8, ceiling=8)
    with limit:
        limit.throttled()
    assert limit.limit == 4
    # Writes that were in flight when it halved bring back the same burst's 429s: no further halving.
    burst = AdaptiveLimit(start=8, ceiling=8)
    entered = threading.Barrier(8)

    def write(_: int) -> None:
        with burst:
            entered.wait(timeout=5)  # all eight are in flight before the first 429 comes back
            burst.throttled()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    assert (burst.limit, burst.throttles) == (4, 8)
    # A write that starts after the halving and is throttled again halves it again: the limit really is lower.
    with burst:
        burst.throttled()
    assert burst.limit == 2
    with burst:
        burst.throttled()
    with burst:
        burst.throttled()
    assert burst.limit == 1  # never below one


def test_never_more_writes_in_flight_than_the_limit() -> None:
    limit = AdaptiveLimit(start=3, ceiling=3)
    most = 0
    lock = threading.Lock()

    def write(_: int) -> None:
        nonlocal most
        with limit:
            with lock:
                most = max(most, limit.in_flight)
            time.sleep(0.01)

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(write, range(40)))
    assert most == 3


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="start"):
        AdaptiveLimit(start=0, ceiling=4)
    with pytest.raises(ValueError, match="start"):
        AdaptiveLimit(start=5, ceiling=4)


def test_map_adaptive_keeps_order_and_queues_only_a_few_writes_ahead() -> None:
    limit = AdaptiveLimit(start=2, ceiling=4)
    queued: list[int] = []

    def write(item: int) -> int:
        if item == 150:
            queued.append(sum(1 for o in gc.get_objects() if isinstance(o, Future)))
        time.sleep(0.0005 * (item % 3))
        return item * 2

    assert map_adaptive(write, list(range(300)), limit, name="t") == [i * 2 for i in range(300)]
    # Never the whole backlog queued at once: a queued write holds a future and a work item (about 1 KB each;
    # 50 MB at 50,000 writes). Before, all 300 futures existed from the start.
    assert queued and queued[0] <= 2 * limit.ceiling + 1


def test_map_adaptive_starts_no_new_write_after_one_raised() -> None:
    limit = AdaptiveLimit(start=2, ceiling=2)
    started: list[int] = []

    def write(item: int) -> int:
        started.append(item)
        if item == 10:
            raise RuntimeError("tracker gone")
        time.sleep(0.002)
        return item

    with pytest.raises(RuntimeError, match="tracker gone"):
        map_adaptive(write, list(range(1000)), limit, name="t")
    # Before, every queued write still ran after a tracker-wide failure: 1,000 requests to a tracker that is gone.
    assert max(started) < 10 + 2 * limit.ceiling + 2
