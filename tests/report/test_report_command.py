"""`syncer report`: the grooming report from the last run's stored results, with the trackers unreachable."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from connectors.jira.sandbox import JiraSandbox, seed
from syncer.cli import main
from syncer.job import run_job
from syncer.report import rebuild
from tests.jira.conftest import jira_settings, with_account


def test_report_is_built_from_the_last_run_with_jira_unreachable(tmp_path: Path) -> None:
    server = JiraSandbox(with_account(seed.synthetic(40, mode="cloud"))).serve().start()
    try:
        settings = jira_settings(server.url, deployment="cloud").model_copy(update={"workdir": tmp_path})
        result = run_job(settings)
        assert result.report.trackers[0].error is None
        ranked = sorted((r for r in result.report.results if r.rank), key=lambda r: r.rank or 0)
    finally:
        server.stop()
    assert run_job(settings).report.trackers[0].error is not None  # the tracker is gone

    out = tmp_path / "elsewhere"
    paths = rebuild(settings, now=datetime.now(UTC), formats=["md", "json"], out=out)

    assert sorted(p.name for p in paths) == ["grooming-report.md", "report.json"]
    md = (out / "grooming-report.md").read_text()
    assert "Could not be synced" not in md and "As last synced on 20" in md
    top = ranked[0].ref.key.replace("-", "\\-")
    assert f"| 1 | [{top}](" in md
    data = json.loads((out / "report.json").read_text())
    [section] = data["sections"]
    assert section["error"] is None and section["scored"] == len(ranked)
    assert [r["key"] for r in data["issues"][:3]] == [r.ref.key for r in ranked[:3]]


def test_report_command_writes_the_configured_formats_without_the_backlog(write_config, backlog_path: Path) -> None:
    config = str(write_config(backlog=backlog_path))
    assert CliRunner().invoke(main, ["run", "--config", config]).exit_code == 0
    backlog_path.unlink()
    folder = Path(f"{backlog_path}.work") / "reports"
    for path in folder.glob("*.html"):
        path.unlink()

    result = CliRunner().invoke(main, ["report", "--config", config, "--format", "html"])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(folder / "grooming-report.html")
    assert "T-8" in (folder / "grooming-report.html").read_text()


def test_report_command_before_any_run_says_so(write_config, backlog_path: Path, tmp_path: Path) -> None:
    config = str(write_config(backlog=backlog_path))
    result = CliRunner().invoke(main, ["report", "--config", config, "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "no stored run" in result.stderr and "syncer run" in result.stderr
    assert not (tmp_path / "r").exists()


def test_report_command_keeps_the_flow_from_the_completed_issues_the_last_run_read(tmp_path: Path) -> None:
    from tests.jira.test_completed import _state

    state, recent = _state("cloud", total=80, done_recently=12)
    server = JiraSandbox(with_account(state)).serve().start()
    try:
        settings = jira_settings(server.url, deployment="cloud").model_copy(update={"workdir": tmp_path})
        result = run_job(settings)
        assert result.report.trackers[0].completed is not None
    finally:
        server.stop()

    rebuild(settings, now=datetime.now(UTC), formats=["md"], out=tmp_path / "r")

    md = (tmp_path / "r" / "grooming-report.md").read_text()
    flow = md[md.index("## Flow and forecast") : md.index("# Detail")]
    # The 12 resolved in the window, timed by lead time (created 5 days before), as the run's own report had it.
    assert f"| ACME | {len(recent)} |" in flow and "5.0 / 5.0 / 5.0 lead" in flow
