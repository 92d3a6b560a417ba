"""Benchmark: sync N synthetic Linear issues against the sandbox through the real pipeline, over loopback HTTP.

Run with `.venv/bin/python bench/linear_sync_bench.py [--issues N] [--page-size P] [--labels] [--fault-rate R]
[--tight-budget] [--concurrency C] [--max-concurrency M] [--latency MS] [--burst N]`. The sandbox runs in this
process (it counts the requests and executes every query against Linear's schema); each sync runs in a child
process, so the wall time and peak resident memory (VmHWM) printed are the worker's own. Scenarios: the first sync
(every scored issue gets its score card), a second sync over the unchanged workspace, and optionally a first sync
with injected faults (5xx, delays, dropped connections) or with a request budget small enough that the worker must
pace itself and wait out RATELIMITED answers. `--latency` makes every answer wait (a real site's round trip, slept
outside the sandbox's lock, so writes overlap) and `--burst` gives the sandbox a requests-per-second limit; the
"concurrency" column is the writers' adaptive limit (start / peak / end, and how many answers said slow down).

"minimum" is what any correct sync must send: one team query, one label page per 250 labels, the issue pages at
the largest page size that stays under Linear's 10,000-point cap for this query, and one attachment write per
changed issue (with `--labels`, plus one label request per issue whose bucket label changes, and the 4 label
creations of the first run), plus the completed-issues pages a run that writes the grooming report reads for its
flow metrics (issues completed in the last 90 days, 250 a page, at least one page).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _measure import largest_linear_page, peak_rss_mb  # noqa: E402  (bench/ is on sys.path when a bench script runs)

from connectors.linear.sandbox import (  # noqa: E402
    DEMO_API_KEY,
    LINEAR_FAULT_KINDS,
    LinearSandbox,
    RateLimits,
    Workspace,
    synthetic,
)
from connectors.linear.sandbox.app import linear_schema  # noqa: E402
from connectors.sandbox_http import FaultConfig  # noqa: E402

INPUTS = {"reach": "customer_needs", "impact": "label:Impact", "confidence": "label:Confidence", "effort": "estimate"}


def tracker(url: str, page_size: int | None, labels: bool) -> dict[str, Any]:
    outputs: dict[str, Any] = {"attachment": True, "comment": False}
    if labels:
        outputs["bucket_label_group"] = "Priority bucket"
    return {
        "name": "bench",
        "kind": "linear",
        "url": url,
        "token": DEMO_API_KEY,
        "teams": ["ENG", "DES"],
        "page_size": page_size,
        "inputs": INPUTS,
        "outputs": outputs,
    }


class _ConcurrencyLine(logging.Handler):
    """Keeps the figures of the connector's `linear.write-concurrency start=.. peak=.. end=.. throttled=..` line."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.figures = "-"

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("linear.write-concurrency"):
            found = dict(re.findall(r"(\w+)=(\d+)", message))
            self.figures = f"{found['start']}/{found['peak']}/{found['end']} ({found['throttled']})"


def worker(spec: str) -> None:
    """Child process: one `run_sync`, then a JSON line with what it did, its wall time and peak RSS."""
    from syncer.pipeline import run_sync
    from syncer.settings import SyncSettings

    config = json.loads(spec)
    settings = SyncSettings(trackers=[config["tracker"]], http=config["http"], workdir=config["workdir"])
    concurrency = _ConcurrencyLine()
    logging.getLogger("connectors.linear.connector").addHandler(concurrency)
    logging.getLogger("connectors.linear.connector").setLevel(logging.INFO)
    started = time.perf_counter()
    cpu = time.process_time()
    # As `syncer run` with the report on: the issues completed in `[aging] history_days` are read too.
    report = run_sync(settings, completed_since=datetime.now(UTC) - timedelta(days=settings.aging.history_days))
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    run = report.trackers[0]
    plan = run.plan.writes if run.plan else ()
    print(
        json.dumps(
            {
                "error": run.error or run.completed_error,
                "issues": len(run.issues),
                "completed": len(run.completed or ()),
                "writes": len(plan),
                "bucket_changes": sum(1 for w in plan if "bucket" in w.fields),
                "failures": len(run.applied.failures) if run.applied else 0,
                "wall": wall,
                "cpu": cpu,
                "concurrency": concurrency.figures,
                "maxrss_mb": peak_rss_mb(),
            }
        )
    )


def sync(
    sandbox: LinearSandbox, page_size: int | None, labels: bool, http: dict[str, Any], workdir: Path
) -> dict[str, Any]:
    sandbox.reset_log()
    spec = json.dumps({"tracker": tracker(sandbox.url, page_size, labels), "http": http, "workdir": str(workdir)})
    out = subprocess.run(
        [sys.executable, __file__, "--worker", spec], capture_output=True, text=True, check=True, cwd=REPO
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["requests"] = len(sandbox.requests)
    result["by_kind"] = Counter(sandbox.operations)
    result["faults"] = sum(1 for r in sandbox.requests if r.fault)
    result["ratelimited"] = sum(1 for r in sandbox.requests if r.status == 400 and not r.fault)
    if result["error"]:
        raise SystemExit(f"sync failed: {result['error']}")
    return result


def minimum(result: dict[str, Any], labels_in_workspace: int, first_run: bool, labels: bool) -> int:
    setup = 1 + max(1, math.ceil(labels_in_workspace / 250))
    pages = max(1, math.ceil(result["issues"] / largest_linear_page()))
    label_writes = result["bucket_changes"] + (4 if first_run else 0) if labels else 0
    completed_pages = max(1, math.ceil(result["completed"] / 250))  # five scalars an issue: always 250 a page
    return setup + pages + result["writes"] + label_writes + completed_pages


def recent(workspace: dict[str, Any]) -> None:
    """Move the completed issues' dates into the last 90 days (the seed's are in January), spread a day apart,
    so the completed-issues query has something to page through."""
    now = datetime.now(UTC)
    done = [i for i in workspace["issues"] if i.get("completedAt")]
    for n, issue in enumerate(done):
        finished = now - timedelta(days=n % 89, hours=1)
        issue["completedAt"] = finished.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        issue["startedAt"] = (finished - timedelta(days=2)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument(
        "--page-size", type=int, help="`page_size` (default: unset, the largest page under 8,000 points)"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="[http] write_concurrency (where writes start)")
    parser.add_argument("--max-concurrency", type=int, default=16, help="[http] max_write_concurrency")
    parser.add_argument("--latency", type=float, default=0.0, help="ms each answer waits (overlapping)")
    parser.add_argument("--burst", type=int, help="sandbox burst limit: requests per second")
    parser.add_argument("--labels", action="store_true", help="also keep a bucket label in an exclusive group")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--tight-budget", action="store_true", help="a request budget the sync must pace itself to")
    parser.add_argument(
        "--requests-per-hour",
        type=int,
        default=RateLimits.requests,
        help="sandbox request budget (Linear's is 2,500; a first sync of 5,000 issues needs more, or hours)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return

    linear_schema()  # parse Linear's schema before any timed sync (about a second, once per process)
    start = synthetic(args.issues, teams=("ENG", "DES")).to_json()
    recent(start)
    label_count = len(start["labels"])
    http = {
        "write_concurrency": args.concurrency,
        "max_write_concurrency": max(args.concurrency, args.max_concurrency),
        "backoff_initial": 0.01,
        "backoff_max": 0.1,
        "max_attempts": 10,
    }
    workdir = Path("/tmp/linear-bench-work")
    rows = []
    budget = RateLimits(requests=args.requests_per_hour, burst=args.burst)
    latency = FaultConfig(latency=args.latency / 1000)
    with LinearSandbox(Workspace.from_json(start), limits=budget, faults=latency) as sandbox:
        first = sync(sandbox, args.page_size, args.labels, http, workdir)
        rows.append(("first sync", first, minimum(first, label_count, True, args.labels)))
        second = sync(sandbox, args.page_size, args.labels, http, workdir)
        rows.append(("second sync (no change)", second, minimum(second, label_count + 4, False, args.labels)))
    if args.fault_rate:
        faults = FaultConfig(
            rate=args.fault_rate, seed=1, kinds=LINEAR_FAULT_KINDS, delay=0.05, latency=args.latency / 1000
        )
        with LinearSandbox(Workspace.from_json(start), faults=faults, limits=budget) as sandbox:
            faulty = sync(sandbox, args.page_size, args.labels, {**http, "timeout": 5}, workdir)
            rows.append(
                (f"first sync, {args.fault_rate:.0%} faults", faulty, minimum(faulty, label_count, True, args.labels))
            )
    if args.tight_budget:
        limits = RateLimits(requests=200, complexity=3_000_000, window=1.0, burst=args.burst)
        with LinearSandbox(Workspace.from_json(start), limits=limits, faults=latency) as sandbox:
            tight = sync(sandbox, args.page_size, args.labels, http, workdir)
            rows.append(("first sync, 200 requests/s", tight, minimum(tight, label_count, True, args.labels)))

    print(
        f"Linear sandbox, {args.issues} issues (ENG, DES), page size {args.page_size or 'default'} "
        f"(largest under the 10,000-point cap: {largest_linear_page()}), write concurrency {args.concurrency} up to "
        f"{http['max_write_concurrency']}, latency {args.latency:g} ms, burst limit "
        f"{f'{args.burst}/s' if args.burst else 'off'}, bucket labels {'on' if args.labels else 'off'}"
    )
    print(
        f"{'scenario':<30} {'in scope':>8} {'completed':>9} {'writes':>7} {'requests':>9} {'minimum':>8} "
        f"{'faults':>7} {'ratelim':>8} {'concurrency':>14} {'wall s':>7} {'cpu s':>6} {'peak RSS MB':>12}"
    )
    for name, r, least in rows:
        print(
            f"{name:<30} {r['issues']:>8} {r['completed']:>9} {r['writes']:>7} {r['requests']:>9} {least:>8} "
            f"{r['faults']:>7} {r['ratelimited']:>8} {r['concurrency']:>14} {r['wall']:>7.2f} {r['cpu']:>6.2f} "
            f"{r['maxrss_mb']:>12.1f}"
        )
    print("first sync operations:", dict(sorted(rows[0][1]["by_kind"].items())))


if __name__ == "__main__":
    main()
