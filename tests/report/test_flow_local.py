"""The local tracker's completed issues (its done records) for the report's flow metrics: read from the file,
never scored or written to, and timed from `started` when a record has it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from syncer.cli import main
from syncer.pipeline import run_sync
from syncer.settings import load_settings
from tests.conftest import make_issue

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _backlog(path: Path) -> None:
    issues = [make_issue(n) for n in range(1, 7)]
    for n, issue in enumerate(issues[:4]):
        done = NOW - timedelta(days=10 * n + 1)
        issue.update(status="Done", status_category="done", status_entered=done.isoformat())
        issue.update(created=(done - timedelta(days=8)).isoformat(), updated=done.isoformat())
        if n < 3:
            issue["started"] = (done - timedelta(days=2)).isoformat()
    issues[3]["status_entered"] = (NOW - timedelta(days=200)).isoformat()  # finished before the window
    path.write_text(json.dumps({"version": 1, "issues": issues}), encoding="utf-8")


def test_done_records_are_the_completed_issues_and_are_never_written(write_config, tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    _backlog(backlog)
    before = {i["key"]: i for i in json.loads(backlog.read_text())["issues"]}
    settings = load_settings(str(write_config(backlog=backlog)))

    report = run_sync(settings, now=NOW, completed_since=NOW - timedelta(days=90))

    run = report.trackers[0]
    assert run.completed is not None
    assert [(c.key, c.team, c.completed - c.started if c.started else None) for c in run.completed] == [
        ("T-1", "ENG", timedelta(days=2)),
        ("T-2", "ENG", timedelta(days=2)),
        ("T-3", "ENG", timedelta(days=2)),
    ]
    assert run.applied is not None and run.applied.issues_written == 2  # T-5 and T-6, the open ones
    after = {i["key"]: i for i in json.loads(backlog.read_text())["issues"]}
    assert all(after[k] == before[k] for k in ("T-1", "T-2", "T-3", "T-4"))  # no score, rank, bucket or comment
    assert after["T-5"] != before["T-5"]


def test_the_demo_report_times_flow_from_completed_issues(write_config, tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    _backlog(backlog)
    config = str(write_config(backlog=backlog))
    assert CliRunner().invoke(main, ["run", "--config", config], catch_exceptions=False).exit_code == 0
    html = (Path(f"{backlog}.work") / "reports" / "grooming-report.html").read_text()
    flow = html[html.index("<h2>Flow and forecast</h2>") :]
    # 3 completions within the window, all with `started`: cycle time 2 days, not lead time (8 days).
    assert '<td>ENG</td><td class="n">3</td>' in flow and '2.0 / 2.0 / 2.0 <span class="muted">cycle</span>' in flow
    assert "3 issues the trackers say were completed in the last 90 days" in flow
