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
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    rows = [n for n in names if n.startswith("report-data.") and n.endswith(".jsonl")]
    assert len(rows) == 1, "one tracker: one rows file beside report-data.json"
    assert names == sorted([*FILES, "report-data.json", *rows])


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


def test_issues_are_kept_out_of_line_and_read_only_for_a_failed_tracker(write_config, backlog_path: Path) -> None:
    """report-data.json holds no issue (a run whose trackers all synced never reads them back); each save leaves
    exactly one rows file per tracker, and a failed tracker's last good section comes from it."""
    config = str(write_config(backlog=backlog_path))
    folder = _reports(backlog_path)
    for _ in range(3):
        assert _invoke("run", "--config", config) == 0
    data = json.loads((folder / "report-data.json").read_text())
    [stored] = data["trackers"].values()
    assert data["version"] == 2 and stored["issues"] == [] and stored["results"] == []
    rows = [p for p in folder.iterdir() if p.suffix == ".jsonl"]
    assert [p.name for p in rows] == [stored["rows_file"]]
    lines = rows[0].read_text().splitlines()
    assert len(lines) == len(json.loads(backlog_path.read_text())["issues"])
    assert json.loads(lines[0])["issue"]["key"]

    # A rows file that cannot be parsed would fail any run that read it: a healthy run does not.
    rows[0].write_text("not json\n")
    assert _invoke("run", "--config", config) == 0
    assert "T\\-8" in (folder / "grooming-report.md").read_text()
    backlog_path.rename(backlog_path.with_suffix(".gone"))
    assert _invoke("run", "--config", config) == 3
    assert "| 1 | T\\-8 |" in (folder / "grooming-report.md").read_text()


def test_a_version_1_file_with_inline_issues_is_still_read(write_config, backlog_path: Path) -> None:
    config = str(write_config(backlog=backlog_path))
    folder = _reports(backlog_path)
    assert _invoke("run", "--config", config) == 0
    data = json.loads((folder / "report-data.json").read_text())
    [stored] = data["trackers"].values()
    rows = [json.loads(line) for line in (folder / stored["rows_file"]).read_text().splitlines()]
    stored["issues"] = [r["issue"] for r in rows]
    stored["results"] = [r["result"] for r in rows if r["result"] is not None]
    del stored["rows_file"]
    data["version"] = 1
    (folder / "report-data.json").write_text(json.dumps(data))
    for p in folder.glob("*.jsonl"):
        p.unlink()

    backlog_path.rename(backlog_path.with_suffix(".gone"))
    assert _invoke("run", "--config", config) == 3
    assert "| 1 | T\\-8 |" in (folder / "grooming-report.md").read_text()
    backlog_path.with_suffix(".gone").rename(backlog_path)
    assert _invoke("run", "--config", config) == 0
    assert json.loads((folder / "report-data.json").read_text())["version"] == 2
    assert len(list(folder.glob("*.jsonl"))) == 1

def test_the_agenda_says_first_which_tracker_failed_and_when_it_last_synced(write_config, backlog_path: Path) -> None:
    config = str(write_config(backlog=backlog_path))
    assert _invoke("run", "--config", config) == 0
    backlog_path.rename(backlog_path.with_suffix(".gone"))

    assert _invoke("run", "--config", config) == 3
    folder = _reports(backlog_path)
    html = (folder / "grooming-report.html").read_text()
    # Above the agenda, not only in the collapsed detail: which tracker, that it failed, and when it last synced.
    top = html[html.index("<h1>") : html.index('id="agenda"')]
    assert "<strong>local could not be synced</strong>; last synced 20" in top and "does not exist" in top
    assert "Its issues are not in this agenda; its last good data is in its detail below." in top
    md = (folder / "grooming-report.md").read_text()
    top_md = md[: md.index("## ")]
    assert "> **local could not be synced**; last synced 20" in top_md
