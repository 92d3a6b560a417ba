"""Benchmark: sync N synthetic Jira issues against the sandbox through the real pipeline, over loopback HTTP.

Run with `.venv/bin/python bench/jira_sync_bench.py [--issues N] [--mode cloud|datacenter] [--fault-rate R]`.
The sandbox runs in this process (it counts the requests); each sync runs in a child process, so the wall time
and peak resident memory printed are the worker's own (the sandbox's state and request validation excluded).
Scenarios: the first sync (every issue gets its score, rank, bucket and comment), a second sync over the
unchanged project, and, with `--fault-rate`, a first sync on a fresh copy with injected faults.

"minimum" is what any correct sync must send: the field list, the search pages at the server's page size, and
per changed issue one edit plus one comment write (the comment's id rides along with the edit as a property),
plus the completed-issues search pages a run that writes the grooming report reads for its flow metrics (issues
resolved in the last 90 days, at least one page).
A third scenario drops the `syncer.comment` property of every 20th issue (what an older version's failed property
saves left): the worker must find those comments again by their marker; "comment reads" counts the
`GET …/comment` requests it spent on that (the search page's `comment` field should make them unnecessary).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _measure import peak_rss_mb  # noqa: E402  (bench/ is on sys.path when a bench script runs)

from connectors.jira.sandbox import JiraSandbox, seed  # noqa: E402
from connectors.jira.sandbox.state import JiraState, jira_time  # noqa: E402
from connectors.sandbox_http import FAULT_KINDS, FaultConfig, SandboxHTTPServer  # noqa: E402

PAGE_CAP = 100
EMAIL, TOKEN = "bot@acme.test", "bench-token"


def tracker(url: str, mode: str, page_size: int) -> dict[str, Any]:
    return {
        "name": "bench",
        "kind": "jira",
        "url": url,
        "deployment": mode,
        "email": EMAIL if mode == "cloud" else None,
        "token": TOKEN,
        "jql": "project = ACME AND statusCategory != Done",
        "page_size": page_size,
        **seed.TRACKER_FIELDS,
    }


def worker(spec: str) -> None:
    """Child process: one `run_sync`, then a JSON line with what it did, its wall time and peak RSS."""
    from syncer.pipeline import run_sync
    from syncer.settings import SyncSettings

    config = json.loads(spec)
    settings = SyncSettings(trackers=[config["tracker"]], http=config["http"])
    started = time.perf_counter()
    # As `syncer run` with the report on: the issues resolved in `[aging] history_days` are read too.
    report = run_sync(settings, completed_since=datetime.now(UTC) - timedelta(days=settings.aging.history_days))
    wall = time.perf_counter() - started
    run = report.trackers[0]
    plan = run.plan.writes if run.plan else ()
    print(
        json.dumps(
            {
                "error": run.error or run.completed_error,
                "issues": len(run.issues),
                "completed": len(run.completed or ()),
                "writes": len(plan),
                "comments": sum(1 for w in plan if w.comment),
                "failures": len(run.applied.failures) if run.applied else 0,
                "wall": wall,
                "maxrss_mb": peak_rss_mb(),
            }
        )
    )


def sync(server: SandboxHTTPServer, mode: str, page_size: int, http: dict[str, Any]) -> dict[str, Any]:
    server.reset_log()
    spec = json.dumps({"tracker": tracker(server.url, mode, page_size), "http": http})
    out = subprocess.run(
        [sys.executable, __file__, "--worker", spec], capture_output=True, text=True, check=True, cwd=REPO
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["requests"] = len(server.requests)
    result["by_kind"] = Counter(
        f"{r.method} {r.path.split('/')[4] if r.path.count('/') > 3 else r.path}" for r in server.requests
    )
    result["faults"] = sum(1 for r in server.requests if r.fault)
    result["comment_reads"] = sum(1 for r in server.requests if r.method == "GET" and r.path.endswith("/comment"))
    if result["error"]:
        raise SystemExit(f"sync failed: {result['error']}")
    return result


def minimum(result: dict[str, Any], page_size: int) -> int:
    pages = max(1, math.ceil(result["issues"] / min(page_size, PAGE_CAP)))
    completed_pages = max(1, math.ceil(result["completed"] / min(page_size, PAGE_CAP)))
    return 1 + pages + completed_pages + (result["writes"] - result["comments"]) + 2 * result["comments"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--mode", choices=["cloud", "datacenter"], default="cloud")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--no-spec-validation",
        action="store_true",
        help="sandbox skips OpenAPI checks (~3 ms/request): times the worker",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return

    start = seed.synthetic(args.issues, mode=args.mode).to_json()
    now = datetime.now(UTC)
    # The seed's done issues were resolved months ago: spread them over the last 90 days (a day apart), so the
    # completed-issues search has something to page through.
    done = [i for i in start["issues"] if i["status"] == "10003"]
    for n, issue in enumerate(done):
        issue["status_changed"] = issue["updated"] = jira_time(now - timedelta(days=n % 89, hours=1))
    start["account"] = {"email": EMAIL, "token": TOKEN}
    http = {"write_concurrency": args.concurrency, "backoff_initial": 0.01, "backoff_max": 0.1, "max_attempts": 10}
    rows = []
    validate = not args.no_spec_validation
    sandbox = JiraSandbox(JiraState.from_json(start), page_cap=PAGE_CAP, validate=validate)
    with sandbox.serve() as server:
        first = sync(server, args.mode, args.page_size, http)
        rows.append(("first sync", first, minimum(first, args.page_size)))
        second = sync(server, args.mode, args.page_size, http)
        rows.append(("second sync (no change)", second, minimum(second, args.page_size)))
        for issue in sandbox.state.issues[::20]:
            issue.properties.pop("syncer.comment", None)
        repaired = sync(server, args.mode, args.page_size, http)
        # Nothing changed but the lost records: one property PUT each, found from the search page alone.
        rows.append(("5 % properties lost", repaired, minimum(repaired, args.page_size) - repaired["comments"]))
    if args.fault_rate:
        faults = FaultConfig(rate=args.fault_rate, seed=1, kinds=FAULT_KINDS, retry_after=0.05, delay=0.05)
        stormy = JiraSandbox(JiraState.from_json(start), page_cap=PAGE_CAP, validate=validate)
        with stormy.serve(faults=faults) as server:
            faulty = sync(server, args.mode, args.page_size, http)
            rows.append((f"first sync, {args.fault_rate:.0%} faults", faulty, minimum(faulty, args.page_size)))

    print(
        f"Jira {args.mode} sandbox, {args.issues} issues, page size {args.page_size} (server cap {PAGE_CAP}), "
        f"write concurrency {args.concurrency}"
    )
    print(
        f"{'scenario':<28} {'in scope':>8} {'completed':>9} {'writes':>7} {'requests':>9} {'minimum':>8} "
        f"{'comment reads':>13} {'faults':>7} {'wall s':>7} {'peak RSS MB':>12}"
    )
    for name, r, least in rows:
        print(
            f"{name:<28} {r['issues']:>8} {r['completed']:>9} {r['writes']:>7} {r['requests']:>9} {least:>8} "
            f"{r['comment_reads']:>13} {r['faults']:>7} {r['wall']:>7.2f} {r['maxrss_mb']:>12.1f}"
        )
    print("first sync requests by kind:", dict(sorted(rows[0][1]["by_kind"].items())))


if __name__ == "__main__":
    main()
