"""Benchmark: build and render the grooming report (HTML and Markdown) for a synthetic backlog of N issues.

Run with `.venv/bin/python bench/report_bench.py [--issues 5000 50000]`. The backlog is the demo's generator
(`syncer.demo.backlog.generate`, RICE inputs with ~12 % bad values, a quarter in progress or done) in a local
tracker; the run is a dry run (scoring, ranking, WIP), then the report is built (agenda, duplicates, flow and the
10,000-trial forecast) and rendered. Prints the seconds for the run and for the report, and the HTML and Markdown
sizes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syncer.demo.backlog import generate
from syncer.pipeline import RunReport, run_sync
from syncer.report import build_report
from syncer.report.content import GroomingReport
from syncer.report.flowview import build_flow
from syncer.report.writer import render_html, render_markdown
from syncer.settings import ReportSettings, load_settings

CONFIG = """
workdir = "{workdir}"

[[trackers]]
name = "local"
kind = "local"
path = "{path}"

[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Effort"

[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
comment = true

[wip]
limits = {{ "In Progress" = 12, "In Review" = 8 }}
per_assignee = 5
per_team = {{ ENG = 20 }}
"""


def synthetic_run(issues: int, folder: Path, now: datetime) -> RunReport:
    """A dry run over `issues` generated issues in a local tracker kept in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    backlog = folder / "backlog.json"
    backlog.write_text(json.dumps(generate(issues)), encoding="utf-8")
    config = folder / "syncer.toml"
    config.write_text(CONFIG.format(workdir=folder / "work", path=backlog), encoding="utf-8")
    # The done records are the completed issues (as a run that writes the report reads them), for flow metrics.
    return run_sync(load_settings(config), dry_run=True, now=now, completed_since=now - timedelta(days=90))


def synthetic_report(run: RunReport, now: datetime) -> GroomingReport:
    flow = build_flow(run, {}, {t.name: {"ENG": 20} for t in run.trackers}, now, days=90)
    return build_report(run, ReportSettings(), now, flow=flow)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, nargs="+", default=[5_000, 50_000])
    args = parser.parse_args()
    now = datetime.now(UTC)
    print("| issues | dry run (s) | report build + render: wall (s) | CPU (s) | HTML | Markdown |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.issues:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            run = synthetic_run(n, Path(tmp), now)
            ran, cpu = time.perf_counter(), time.process_time()
            report = synthetic_report(run, now)
            html, md = render_html(report), render_markdown(report)
            done, cpu_done = time.perf_counter(), time.process_time()
        print(
            f"| {n:,} | {ran - start:.1f} | {done - ran:.2f} | {cpu_done - cpu:.2f} "
            f"| {len(html.encode()) / 1e6:.2f} MB | {len(md.encode()) / 1e6:.2f} MB |"
        )


if __name__ == "__main__":
    main()
