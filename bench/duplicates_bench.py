"""Benchmark: the grooming report's near-duplicate check on a backlog with templated titles.

Run with `.venv/bin/python bench/duplicates_bench.py [--issues N ...] [--seed S] [--titles mixed numbered]`.

- mixed (the default): six titles in ten follow a template ("Fix login on iOS", "Fix login on Android": 7,920
  combinations, so many titles repeat), the rest are random words, and one in fifty is a planted twin a
  character or two away from another title.
- numbered: every title is "Synthetic issue N", as the Jira sandbox seeds them (`bench/e2e_bench.py`): all
  titles alike, differing only in the number, so every MinHash band is one large bucket.

Prints, per size, wall and CPU time, the Python heap peak (tracemalloc, in a second run) and how many pairs
were kept.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from datetime import UTC, datetime

from syncer.models import StatusCategory, TrackerIssue
from syncer.report.duplicates import find_duplicates

VERBS = [
    "Fix",
    "Add",
    "Remove",
    "Update",
    "Refactor",
    "Investigate",
    "Support",
    "Improve",
    "Migrate",
    "Document",
    "Handle",
    "Test",
    "Clean",
    "Allow",
]
OBJECTS = [
    "login", "checkout flow", "search results", "billing page", "export to CSV", "dark mode", "onboarding",
    "notifications", "user settings", "SSO with Okta", "audit log", "rate limiter", "API pagination",
    "image upload", "password reset", "webhooks", "report builder", "mobile nav", "invoice PDF", "cache",
]  # fmt: skip
OBJECTS += [f"{w} {v}" for w in ("legacy", "new", "admin", "public", "internal") for v in ("dashboard", "job")]
PLACES = ["on iOS", "on Android", "in Safari", "in Firefox", "for admins", "for guests", "in EU region", ""]


def backlog(n: int, seed: int) -> list[TrackerIssue]:
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(5000)]
    titles: list[str] = []
    while len(titles) < n:
        draw = rng.random()
        if draw < 0.02 and titles:
            chars = list(rng.choice(titles))
            chars[rng.randrange(len(chars))] = rng.choice("abcdefghijklmnopqrstuvwxyz")
            titles.append("".join(chars))
        elif draw < 0.62:
            titles.append(f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(PLACES)}".strip())
        else:
            titles.append(" ".join(rng.choice(words) for _ in range(rng.randint(3, 9))).capitalize())
    now = datetime(2026, 11, 1, tzinfo=UTC)
    return [
        TrackerIssue("t", f"T-{i}", str(i), "", title, "Backlog", StatusCategory.TODO, now, now)
        for i, title in enumerate(titles, start=1)
    ]


def numbered(n: int) -> list[TrackerIssue]:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    return [
        TrackerIssue("t", f"T-{i}", str(i), "", f"Synthetic issue {i}", "Backlog", StatusCategory.TODO, now, now)
        for i in range(1, n + 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=0.88)
    parser.add_argument("--titles", choices=("mixed", "numbered"), nargs="+", default=["mixed"])
    args = parser.parse_args()
    print("| titles | open issues | wall | CPU | heap peak | pairs kept |")
    print("|---|---:|---:|---:|---:|---:|")
    for titles, n in ((titles, n) for titles in args.titles for n in args.issues):
        issues = backlog(n, args.seed) if titles == "mixed" else numbered(n)
        wall, cpu = time.perf_counter(), time.process_time()
        pairs = find_duplicates(issues, args.threshold)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        tracemalloc.start()
        find_duplicates(issues, args.threshold)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"| {titles} | {n:,} | {wall:.2f} s | {cpu:.2f} s | {peak / 2**20:.1f} MiB | {len(pairs)} |")


if __name__ == "__main__":
    main()
