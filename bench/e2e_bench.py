"""Benchmark: `syncer run` end to end against the Jira or Linear sandbox, beside a naive python-jira loop, one run.

Run with `.venv/bin/python bench/e2e_bench.py [--tracker jira|linear] [--issues N ...] [--latency MS]
[--naive-sizes N N] [--rank-updates always|top] [--runs first rerun change]`.

For each size, a sandbox with N synthetic issues answers every request after `--latency` ms (slept outside its
locks, so concurrent requests overlap as on a real site). `syncer run` runs as a user runs it, in a child process:
state store (SQLite), score history, grooming report (all formats, with flow metrics) and alerts (to a file) on.
Three runs per size: the first sync (every issue written), a rerun (nothing changed), and a run after 20 % of the
open issues had one input changed by people (Jira: the reach; Linear: the estimate). Printed per run: wall time,
the child's CPU time and peak RSS (VmHWM), the writes in flight (the adaptive limit: start/peak/end, and how many
answers said slow down), and requests against the minimum any correct run needs: each setup read once, every
search or listing at its largest page size (Jira: 100 with fields; Linear: the largest page under the complexity
cap for the issues, 250 for the others), and one write per write needed (retries and repeated reads are what
this leaves out).

The naive loop (Jira only) is what a team writes in an afternoon: python-jira's `enhanced_search_issues` page by
page, RICE in Python, then `issue.update(fields=...)` per issue (python-jira sends the PUT and reads the issue back:
two requests per issue, one at a time). It rewrites every issue every run, having no notion of "changed". It is
measured at `--naive-sizes` on its own sandbox with the same latency and extrapolated linearly to the larger
sizes (said so in the table), since at 50 ms it needs minutes per thousand issues.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _measure import largest_linear_page  # noqa: E402  (bench/ is on sys.path when a bench script runs)

from connectors.jira.sandbox import JiraSandbox, seed  # noqa: E402
from connectors.linear.sandbox import DEMO_API_KEY, LinearSandbox, RateLimits, synthetic  # noqa: E402
from connectors.linear.sandbox.seed import team_estimates  # noqa: E402
from connectors.sandbox_http import FaultConfig, SandboxRequest, SandboxResponse  # noqa: E402

EMAIL, TOKEN = "bot@acme.test", "bench-token"
JIRA_PAGE = 100
LINEAR_PAGE = 250

COMMON = """
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

JIRA_CONFIG = """
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
rank_updates = "{rank_updates}"
"""

LINEAR_CONFIG = """
workdir = "{work}"

[[trackers]]
name = "bench"
kind = "linear"
url = "{url}"
token = "{token}"
teams = ["ENG", "DES"]

[trackers.inputs]
reach = "customer_needs"
impact = "label:Impact"
confidence = "label:Confidence"
effort = "estimate"

[trackers.outputs]
attachment = true
comment = false
rank_updates = "{rank_updates}"
"""


class Log:
    """What the sandbox answered: per listing (a JQL, or a GraphQL operation with its filter) the items returned
    over all its pages, and every write by what it wrote to."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.listed: Counter[str] = Counter()
        self.reads: set[str] = set()
        self.writes: set[str] = set()
        self.requests = 0

    def reset(self) -> None:
        with self.lock:
            self.listed.clear()
            self.reads.clear()
            self.writes.clear()
            self.requests = 0


def recording(app: Callable[[SandboxRequest], SandboxResponse], log: Log, kind: str) -> Callable[..., Any]:
    def record(request: SandboxRequest) -> SandboxResponse:
        response = app(request)
        with log.lock:
            log.requests += 1
            if kind == "jira":
                _jira_record(log, request, response)
            else:
                _linear_record(log, request, response)
        return response

    return record


def _jira_record(log: Log, request: SandboxRequest, response: SandboxResponse) -> None:
    if request.path.endswith("/search/jql"):
        body = request.json() or {}
        issues = (response.body or {}).get("issues") or [] if isinstance(response.body, dict) else []
        log.listed[f"jql:{body.get('jql')}"] += len(issues)
    elif request.method == "GET":
        log.reads.add(request.path)
    else:
        log.writes.add(f"{request.method} {request.path}")


def _linear_record(log: Log, request: SandboxRequest, response: SandboxResponse) -> None:
    body = request.json() or {}
    name = str(body.get("operationName"))
    text = str(body.get("query") or "")
    if text.lstrip().startswith("mutation"):
        variables = body.get("variables") or {}
        log.writes.add(f"{name} {json.dumps(variables, sort_keys=True)[:200]}")
        return
    data = (response.body or {}).get("data") if isinstance(response.body, dict) else None
    roots = list((data or {}).values())
    nodes = roots[0].get("nodes") if roots and isinstance(roots[0], dict) else None
    if isinstance(nodes, list):
        variables = dict(body.get("variables") or {})
        variables.pop("after", None)
        listing = f"{name}:{json.dumps(variables, sort_keys=True)}"
        log.listed[listing] += len(nodes)
    else:
        log.reads.add(name)


class Jira:
    name = "Jira Cloud"

    def __init__(self, n: int, latency_ms: float) -> None:
        state = seed.synthetic(n, mode="cloud")
        state.account.email, state.account.token, state.account.admin = EMAIL, TOKEN, True
        self.sandbox = JiraSandbox(state, page_cap=JIRA_PAGE, validate=False)
        self.server = self.sandbox.serve(faults=FaultConfig(latency=latency_ms / 1000))
        self.log = Log()
        self.server.app = recording(self.server.app, self.log, "jira")

    @contextlib.contextmanager
    def serving(self) -> Iterator[str]:
        with self.server:
            yield self.server.url

    def config(self, work: str, url: str, concurrency: int, rank_updates: str) -> str:
        text = JIRA_CONFIG.format(work=work, url=url, email=EMAIL, token=TOKEN, rank_updates=rank_updates)
        return text + COMMON.format(work=work, concurrency=concurrency)

    def change_inputs(self, share: float, rng: random.Random) -> int:
        """People edit one input on `share` of the issues (the reach, as the most common edit)."""
        with self.sandbox.app.lock:
            state = self.sandbox.state
            reach = next(f.id for f in state.fields if f.name == "Reach")
            changed = 0
            for issue in state.issues:
                if rng.random() < share:
                    issue.values[reach] = rng.randint(10, 5000)
                    changed += 1
            return changed

    def minimum(self) -> int:
        pages = sum(max(1, math.ceil(n / JIRA_PAGE)) for n in self.log.listed.values())
        return len(self.log.reads) + pages + len(self.log.writes)


class Linear:
    name = "Linear"

    def __init__(self, n: int, latency_ms: float) -> None:
        workspace = synthetic(n, teams=("ENG", "DES"))
        self.workspace = workspace
        limits = RateLimits(requests=10_000_000, complexity=10**12)  # the bench measures work, not Linear's budget
        self.sandbox = LinearSandbox(workspace, limits=limits, faults=FaultConfig(latency=latency_ms / 1000))
        self.log = Log()
        self.sandbox.server.app = recording(self.sandbox.server.app, self.log, "linear")
        self.issue_page = largest_linear_page()

    @contextlib.contextmanager
    def serving(self) -> Iterator[str]:
        with self.sandbox:
            yield self.sandbox.url

    def config(self, work: str, url: str, concurrency: int, rank_updates: str) -> str:
        text = LINEAR_CONFIG.format(work=work, url=url, token=DEMO_API_KEY, rank_updates=rank_updates)
        return text + COMMON.format(work=work, concurrency=concurrency)

    def change_inputs(self, share: float, rng: random.Random) -> int:
        """People re-estimate `share` of the issues (another step of their team's scale)."""
        ws = self.workspace
        with ws.lock:
            changed = 0
            for issue in ws.issues.values():
                if rng.random() >= share:
                    continue
                steps = [s for s in team_estimates(ws.teams[issue["teamId"]]) if s != issue.get("estimate")]
                if steps:
                    issue["estimate"] = rng.choice(steps)
                    changed += 1
            ws.touch()
            return changed

    def minimum(self) -> int:
        pages = 0
        for listing, n in self.log.listed.items():
            size = self.issue_page if listing.startswith("SyncerIssues:") else LINEAR_PAGE
            pages += max(1, math.ceil(n / size))
        return len(self.log.reads) + pages + len(self.log.writes)


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
    if out.returncode not in (0, 1) or len(lines) < 2:
        raise SystemExit(f"syncer run failed ({out.returncode}): {out.stderr[-2000:]}")
    summary: dict[str, Any] = json.loads(lines[-1])
    child_figures = json.loads(lines[-2])
    summary.update(
        wall=wall,
        cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        peak_mb=child_figures["peak_mb"],
        concurrency=child_figures["concurrency"],
    )
    return summary


def child(config: str) -> None:
    """Runs `syncer run` in this process, then prints its peak RSS (VmHWM), the writers' concurrency line and the
    run's --json summary."""
    import contextlib
    import io
    import logging

    from syncer.cli import main

    figures = {"concurrency": "-"}

    class Concurrency(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if "write-concurrency" in message:
                found = dict(re.findall(r"(\w+)=(\d+)", message))
                figures["concurrency"] = f"{found['start']}/{found['peak']}/{found['end']} ({found['throttled']})"

    for name in ("connectors.jira.writer", "connectors.linear.connector", "connectors.linear.writer"):
        logging.getLogger(name).addHandler(Concurrency(logging.INFO))
    buffer = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buffer):
        try:
            main(["--log-level", "info", "run", "--config", config, "--json"])
        except SystemExit as exc:
            code = int(exc.code or 0)
    peak = next(
        int(line.split()[1]) / 1024 for line in Path("/proc/self/status").read_text().splitlines() if "VmHWM" in line
    )
    print(json.dumps({"peak_mb": peak, "exit": code, **figures}))
    print(buffer.getvalue().strip().splitlines()[-1])


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
            "project = ACME AND statusCategory != Done", nextPageToken=token, maxResults=JIRA_PAGE, fields="*all"
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


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


RUNS = {"first": "first sync", "rerun": "rerun, nothing changed", "change": "{share:.0%} of inputs changed"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracker", choices=("jira", "linear"), default="jira")
    parser.add_argument("--issues", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--latency", type=float, default=50.0, help="ms per request")
    parser.add_argument("--concurrency", type=int, default=4, help="[http] write_concurrency (where writes start)")
    parser.add_argument("--naive-sizes", type=int, nargs="*", default=[200, 400], help="Jira only; none: skip")
    parser.add_argument("--change", type=float, default=0.2)
    parser.add_argument("--runs", nargs="+", choices=list(RUNS), default=list(RUNS))
    parser.add_argument("--rank-updates", choices=("always", "top"), default="always")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    naive: dict[int, float] = {}
    for n in args.naive_sizes if args.tracker == "jira" else ():
        alone = Jira(n, args.latency)
        with alone.serving() as url:
            started = time.perf_counter()
            updated = naive_loop(url)
            naive[n] = time.perf_counter() - started
            print(f"naive loop, {n} issues: {updated} updated, {alone.log.requests} requests, {naive[n]:.1f} s")

    def naive_at(n: int) -> tuple[float, str]:
        if n in naive:
            return naive[n], "measured"
        (n1, t1), (n2, t2) = sorted(naive.items())[:2]
        slope = (t2 - t1) / (n2 - n1)
        return t1 + slope * (n - n1), f"extrapolated from {n1:,} and {n2:,}"

    kind: type[Jira] | type[Linear] = Jira if args.tracker == "jira" else Linear
    print(
        f"\n{kind.name} sandbox, {args.latency:g} ms per request, write concurrency {args.concurrency} (adaptive), "
        f"rank_updates = {args.rank_updates}"
    )
    print(
        "| issues | run | requests | minimum | writes in flight | wall | CPU | peak RSS | load | naive loop "
        "| speed-up |"
    )
    print("|---:|---|---:|---:|---|---:|---:|---:|---|---:|---:|")
    rng = random.Random(7)
    for n in args.issues:
        target = kind(n, args.latency)
        with target.serving() as url, tempfile.TemporaryDirectory() as work:
            config = Path(work) / "syncer.toml"
            config.write_text(target.config(work, url, args.concurrency, args.rank_updates))
            for run in args.runs:
                if run == "change":
                    target.change_inputs(args.change, rng)
                target.log.reset()
                r = run_child(config)
                naive_text = speed = ""
                if run != "rerun" and len(naive) >= 2:
                    seconds, how = naive_at(n)
                    naive_text = f"{seconds:,.0f} s ({how})"
                    speed = f"{seconds / r['wall']:.1f}x"
                print(
                    f"| {n:,} | {RUNS[run].format(share=args.change)} | {target.log.requests:,} | "
                    f"{target.minimum():,} | {r['concurrency']} | {r['wall']:.1f} s | {r['cpu']:.1f} s | "
                    f"{r['peak_mb']:.0f} MB | {load()} | {naive_text} | {speed} |",
                    flush=True,
                )
                print(
                    f"    fields written {r['fields_written']:,}, comments written {r['comments_written']:,}, "
                    f"issues {r['issues']:,}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
