"""Benchmark: `syncer run` end to end against the Jira sandbox, beside a naive python-jira loop, one run.

Run with `.venv/bin/python bench/e2e_bench.py [--issues N ...] [--latency MS] [--naive-sizes N N]`.

For each size, a Jira Cloud sandbox with N synthetic issues answers every request after `--latency` ms (slept
outside its locks, so concurrent requests overlap as on a real site). `syncer run` runs as a user runs it, in a
child process: state store (SQLite), score history, grooming report (all formats) and alerts (to a file) on.
Three runs per size: the first sync (every issue written), a rerun (nothing changed), and a run after 20 % of
the issues had one input changed by people. Printed per run: wall time, the child's CPU time and peak RSS, and
requests against the minimum any correct sync needs (field list, search pages, one edit per changed issue and
one comment write per changed comment, and a property save per new comment).

The naive loop is what a team writes in an afternoon: python-jira's `enhanced_search_issues` page by page,
RICE in Python, then `issue.update(fields=...)` per issue (python-jira sends the PUT and reads the issue back: two
requests per issue, one at a time). It is measured at `--naive-sizes` on its own sandbox with the same latency
and extrapolated linearly to the larger sizes (said so in the table), since at 50 ms it needs minutes per
thousand issues.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from connectors.jira.sandbox import JiraSandbox, seed  # noqa: E402
from connectors.jira.sandbox.state import JiraState  # noqa: E402
from connectors.sandbox_http import FaultConfig, SandboxHTTPServer  # noqa: E402

EMAIL, TOKEN = "bot@acme.test", "bench-token"
PAGE = 100

CONFIG = """
workdir = "{work}"

[[trackers]]
name = "bench"
kind = "jira"
url = "{url}"
deployment = "cloud"
email = "{email}"
token = "{token}"
jql = "project = ACME AND statusCategory != Done"
notify_users = false

[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"

[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
comment = true

[http]
write_concurrency = {concurrency}

[state]
url = "sqlite:///{work}/state.db"

[[alerts]]
kind = "file"
path = "{work}/alerts.jsonl"

[wip]
per_assignee = 50
"""


def run_child(config: Path) -> dict[str, Any]:
    """`syncer run --json` in a child; its summary plus the child's own wall time, CPU time and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(config)], capture_output=True, text=True, cwd=config.parent
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = out.stdout.strip().splitlines()
    if out.returncode not in (0, 1) or not lines:
        raise SystemExit(f"syncer run failed ({out.returncode}): {out.stderr[-2000:]}")
    summary: dict[str, Any] = json.loads(lines[-1])
    summary.update(
        wall=wall,
        cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        peak_mb=json.loads(lines[-2])["peak_mb"],
    )
    return summary


def child(config: str) -> None:
    """Runs `syncer run` in this process, then prints its peak RSS (VmHWM) and the run's --json summary."""
    import contextlib
    import io

    from syncer.cli import main

    buffer = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buffer):
        try:
            main(["run", "--config", config, "--json"])
        except SystemExit as exc:
            code = int(exc.code or 0)
    peak = next(
        int(line.split()[1]) / 1024 for line in Path("/proc/self/status").read_text().splitlines() if "VmHWM" in line
    )
    print(json.dumps({"peak_mb": peak, "exit": code}))
    print(buffer.getvalue().strip().splitlines()[-1])


def minimum(requests: list[Any], in_scope: int) -> int:
    """What any correct sync must send: each setup read once, the search pages, one write per issue edit and per
    comment it actually needed (retries and repeated reads are what this leaves out)."""
    setup = {(r.method, r.path) for r in requests if r.method == "GET" and "/search" not in r.path}
    pages = max(1, math.ceil(in_scope / PAGE))
    writes = {(r.method, r.path) for r in requests if r.method in ("PUT", "POST") and "/search" not in r.path}
    return len(setup) + pages + len(writes)


def change_inputs(state: JiraState, share: float, rng: random.Random) -> int:
    """People edit one input on `share` of the open issues (the reach, as the most common edit)."""
    reach = next(f.id for f in state.fields if f.name == "Reach")
    changed = 0
    for issue in state.issues:
        if rng.random() < share:
            issue.values[reach] = rng.randint(10, 5000)
            changed += 1
    return changed


def naive_loop(url: str) -> int:
    """The afternoon script: search page by page, score, `issue.update` one issue at a time."""
    from jira import JIRA

    client = JIRA(server=url, basic_auth=(EMAIL, TOKEN), max_retries=0)  # serverInfo: Cloud search needs it
    ids = {f["name"]: f["id"] for f in client.fields()}
    words = {"massive": 3, "high": 2, "medium": 1, "low": 0.5, "minimal": 0.25}
    confidence_words = {"high": 100, "medium": 80, "low": 50}
    token: str | None = None
    done = 0
    while True:
        page = client.enhanced_search_issues(
            "project = ACME AND statusCategory != Done", nextPageToken=token, maxResults=PAGE, fields="*all"
        )
        for issue in page:
            raw = issue.raw["fields"]
            try:
                impact = raw[ids["Impact"]]
                impact = words[str(impact.get("value") if isinstance(impact, dict) else impact).lower()]
                conf = str(raw[ids["Confidence"]]).lower().rstrip("%")
                confidence = confidence_words.get(conf) or float(conf)
                score = raw[ids["Reach"]] * impact * confidence / 100 / raw[ids["Story Points"]]
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                continue
            issue.update(fields={ids["RICE Score"]: round(score, 4)}, notify=False)
            done += 1
        token = page.nextPageToken
        if not token:
            return done


def sandbox_for(n: int, latency_ms: float) -> tuple[JiraSandbox, SandboxHTTPServer]:
    state = seed.synthetic(n, mode="cloud")
    state.account.email, state.account.token, state.account.admin = EMAIL, TOKEN, True
    sandbox = JiraSandbox(state, page_cap=PAGE, validate=False)
    server = sandbox.serve(faults=FaultConfig(latency=latency_ms / 1000))
    return sandbox, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--latency", type=float, default=50.0, help="ms per request")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--naive-sizes", type=int, nargs="*", default=[200, 400])
    parser.add_argument("--change", type=float, default=0.2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    naive: dict[int, float] = {}
    for n in args.naive_sizes:
        _, server = sandbox_for(n, args.latency)
        with server:
            started = time.perf_counter()
            updated = naive_loop(server.url)
            naive[n] = time.perf_counter() - started
            print(f"naive loop, {n} issues: {updated} updated, {len(server.requests)} requests, {naive[n]:.1f} s")

    def naive_at(n: int) -> tuple[float, str]:
        if n in naive:
            return naive[n], "measured"
        (n1, t1), (n2, t2) = sorted(naive.items())[:2]
        slope = (t2 - t1) / (n2 - n1)
        return t1 + slope * (n - n1), f"extrapolated from {n1:,} and {n2:,}"

    print(f"\nJira Cloud sandbox, {args.latency:g} ms per request, write concurrency {args.concurrency}")
    print("| issues | run | requests | minimum | wall | CPU | peak RSS | naive loop | speed-up |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    rng = random.Random(7)
    for n in args.issues:
        sandbox, server = sandbox_for(n, args.latency)
        with server, tempfile.TemporaryDirectory() as work:
            config = Path(work) / "syncer.toml"
            config.write_text(
                CONFIG.format(work=work, url=server.url, email=EMAIL, token=TOKEN, concurrency=args.concurrency)
            )
            for label in ("first sync", "rerun, nothing changed", f"{args.change:.0%} of inputs changed"):
                if label.endswith("changed") and not label.startswith("rerun"):
                    with sandbox.app.lock:
                        change_inputs(sandbox.state, args.change, rng)
                server.reset_log()
                r = run_child(config)
                requests = len(server.requests)
                least = minimum(server.requests, r["issues"])
                speed = ""
                naive_text = ""
                if label != "rerun, nothing changed" and len(naive) >= 2:
                    # The naive loop rewrites every issue every run; it has no notion of "changed".
                    seconds, how = naive_at(n)
                    naive_text = f"{seconds:,.0f} s ({how})"
                    speed = f"{seconds / r['wall']:.1f}x"
                print(
                    f"| {n:,} | {label} | {requests:,} | {least:,} | {r['wall']:.1f} s | {r['cpu']:.1f} s | "
                    f"{r['peak_mb']:.0f} MB | {naive_text} | {speed} |"
                )


if __name__ == "__main__":
    main()
