"""When the grooming report is written: real runs only (or when asked), all files or none, and a tracker that
could not be synced keeps its last good section, marked with when that was."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncer.cli import main
from syncer.report import writer

FILES = ("grooming-report.md", "grooming-report.html", "issues.csv", "report.json")


def _reports(backlog: Path) -> Path:
    return Path(f"{backlog}.work") / "reports"


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {name: ((folder / name).read_bytes(), (folder / name).stat().st_mtime_ns) for name in FILES}


def _invoke(*args: str) -> int:
    return CliRunner().invoke(main, list(args), catch_exceptions=False).exit_code


def test_dry_runs_leave_the_last_report_untouched(write_config, backlog_path: Path) -> None:
    config = str(write_config(backlog=backlog_path))
    assert _invoke("run", "--config", config) == 0
    folder = _reports(backlog_path)
    before = _snapshot(folder)
    # People change the backlog: a dry run must still not replace the report of the last real run.
    data = json.loads(backlog_path.read_text())
    data["issues"][3]["fields"]["Reach"] = 99999
    backlog_path.write_text(json.dumps(data))

    assert _invoke("plan", "--config", config) == 0
    assert _invoke("run", "--dry-run", "--config", config) == 0
    assert _snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        [*FILES, "report-data.json"]
    )


def test_a_dry_run_writes_the_report_when_asked(write_config, backlog_path: Path) -> None:
    config = str(write_config(backlog=backlog_path))
    assert _invoke("plan", "--report", "--config", config) == 0
    md = (_reports(backlog_path) / "grooming-report.md").read_text()
    assert "dry run: nothing was written" in md and "T\\-8" in md
    # A dry run is not a sync: nothing is remembered for `syncer report` or a later failed run.
    assert not (_reports(backlog_path) / "report-data.json").exists()


def test_a_failed_tracker_keeps_its_last_good_section(write_config, backlog_path: Path) -> None:
    config = str(write_config(backlog=backlog_path))
    assert _invoke("run", "--config", config) == 0
    backlog_path.rename(backlog_path.with_suffix(".gone"))

    assert _invoke("run", "--config", config) == 3
    folder = _reports(backlog_path)
    md = (folder / "grooming-report.md").read_text()
    assert "**Could not be synced:**" in md and "does not exist" in md
    assert "Shown as last synced on 20" in md
    assert "| 1 | T\\-8 |" in md and "Needs input (1)" in md  # the last good content, not an empty section
    html = (folder / "grooming-report.html").read_text()
    assert "Shown as last synced on 20" in html and "T-8" in html
    data = json.loads((folder / "report.json").read_text())
    [section] = data["sections"]
    assert section["error"] and section["synced"] and section["top"][0]["key"] == "T-8"


def test_a_failing_write_leaves_the_previous_report_whole(
    write_config, backlog_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = str(write_config(backlog=backlog_path))
    assert _invoke("run", "--config", config) == 0
    folder = _reports(backlog_path)
    before = _snapshot(folder)
    data = json.loads(backlog_path.read_text())
    data["issues"][3]["fields"]["Reach"] = 99999
    backlog_path.write_text(json.dumps(data))

    real = writer.WRITERS["csv"]

    def disk_full(report: object, out: object) -> None:
        real(report, out)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(writer.WRITERS, "csv", disk_full)
    with pytest.raises(OSError, match="No space"):
        writer.write_reports(
            writer.GroomingReport(generated=datetime.now(UTC), dry_run=False, sections=(), rows=()),
            folder,
            ["md", "html", "csv", "json"],
        )
    assert _snapshot(folder) == before
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []
