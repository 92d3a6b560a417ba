"""Benchmark: score and rank 100,000 synthetic RICE issues with `score_backlog`.

Run with `.venv/bin/python bench/score_bench.py [--issues N] [--seed S] [--repeat R]`. About 5% of the issues
carry a bad input (missing, non-numeric, negative, zero effort, NaN). Prints the best and median wall time,
the Python heap peak during scoring (tracemalloc, in a separate run because tracing slows Python down) and
the process's maximum resident set size (getrusage), which includes the interpreter and the synthetic input.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Mapping

from syncer.models import IssueRef, RawValue
from syncer.scoring import score_backlog
from syncer.settings.scoring import ScoringSettings

_BAD_VALUES: tuple[tuple[str, RawValue], ...] = (
    ("reach", None),
    ("impact", "huge"),
    ("confidence", "120%"),
    ("effort", 0),
    ("reach", -3),
    ("effort", float("nan")),
    ("impact", True),
)


def synthetic_backlog(n: int, seed: int) -> list[tuple[IssueRef, Mapping[str, RawValue]]]:
    """`n` issues with a realistic mix of numbers, numeric strings, words and percentages."""
    rng = random.Random(seed)
    impacts: tuple[RawValue, ...] = ("massive", "High", "medium", "low", "minimal", 3, 2, 1, 0.5)
    confidences: tuple[RawValue, ...] = ("high", "Medium", "low", "80%", "50", 100, 80, 50)
    items: list[tuple[IssueRef, Mapping[str, RawValue]]] = []
    for i in range(n):
        inputs: dict[str, RawValue] = {
            "reach": rng.choice((rng.randint(0, 5000), str(rng.randint(0, 5000)))),
            "impact": rng.choice(impacts),
            "confidence": rng.choice(confidences),
            "effort": rng.choice((0.5, 1, 2, 3, 5, 8, "13")),
        }
        if rng.random() < 0.05:
            name, value = rng.choice(_BAD_VALUES)
            inputs[name] = value
        items.append((IssueRef("bench", f"BENCH-{i + 1}"), inputs))
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; best and median are shown")
    args = parser.parse_args()

    settings = ScoringSettings()
    items = synthetic_backlog(args.issues, args.seed)
    gc.collect()
    rss_before = _max_rss_mib()

    walls, cpus = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        results = score_backlog(items, settings)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
        scored = sum(1 for r in results if r.scored)
        del results
        gc.collect()
    rss_after = _max_rss_mib()

    tracemalloc.start()
    results = score_backlog(items, settings)
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(results) == args.issues

    print(f"issues:     {args.issues:,} (seed {args.seed}); scored {scored:,}, needs_input {args.issues - scored:,}")
    print(
        f"wall time:  best {min(walls):.3f} s, median {statistics.median(walls):.3f} s of {args.repeat} runs"
        " (score_backlog: evaluate + rank + buckets, one thread)"
    )
    print(f"CPU time:   best {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s (less sensitive to other load)")
    print(f"heap:       peak {peak / 2**20:.1f} MiB during scoring, {retained / 2**20:.1f} MiB retained by results")
    print(f"max RSS:    {rss_after:.1f} MiB after scoring ({rss_before:.1f} MiB before: interpreter + input)")
    return 0


def _max_rss_mib() -> float:
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is KiB on Linux and bytes on macOS.
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 1024


if __name__ == "__main__":
    raise SystemExit(main())
