"""The grooming report a product manager reads: top of the ranking, needs input, WIP, stale, duplicates."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from syncer.pipeline import run_sync
from syncer.report import build_report, write_reports
from syncer.report.charts import bar_chart
from syncer.report.duplicates import find_duplicates
from syncer.settings import ReportSettings, load_settings
from tests.foundation.test_wip import issue

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _report(write_config, backlog_path: Path):
    settings = load_settings(write_config(backlog=backlog_path))
    run = run_sync(settings, dry_run=True, now=NOW)
    return build_report(run, ReportSettings(top=3, stale_days=30), NOW)


def test_report_lists_top_needs_input_and_breaches(write_config, backlog_path: Path, tmp_path: Path) -> None:
    report = _report(write_config, backlog_path)
    [section] = report.sections
    assert [r.key for r in section.top] == ["T-8", "T-7", "T-6"]
    assert [r.key for r in section.needs_input] == ["T-3"]
    assert "effort" in section.needs_input[0].problems[0]
    assert [(b.name, b.count) for b in section.breaches] == [("In Progress", 2)]
    assert report.totals["stale"] == 8  # all dated October 2026, older than 30 days on 26 November

    paths = write_reports(report, tmp_path / "out", ["md", "html", "csv", "json"])
    md = (tmp_path / "out" / "grooming-report.md").read_text()
    # No URL on the record: the key as text, not an empty link.
    assert "| 1 | T\\-8 |" in md and "Needs input (1)" in md and "In Progress**: 2 in progress, limit 1" in md
    html = (tmp_path / "out" / "grooming-report.html").read_text()
    assert html.count("<svg") == 4 and "T-3" in html  # buckets, scores, WIP and value against effort
    rows = list(csv.DictReader((tmp_path / "out" / "issues.csv").open()))
    assert [r["key"] for r in rows[:2]] == ["T-8", "T-7"]
    assert rows[-1]["key"] == "T-3" and rows[-1]["score"] == ""
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["totals"]["needs_input"] == 1
    assert len(paths) == 4


def test_html_escapes_titles_and_markdown_keeps_tables_intact(write_config, backlog_path: Path, tmp_path: Path) -> None:
    data = json.loads(backlog_path.read_text())
    data["issues"][7]["title"] = "<script>alert(1)</script> | pipes"
    backlog_path.write_text(json.dumps(data))
    report = _report(write_config, backlog_path)
    write_reports(report, tmp_path, ["md", "html"])
    assert "<script>alert" not in (tmp_path / "grooming-report.html").read_text()
    assert "\\| pipes" in (tmp_path / "grooming-report.md").read_text()


def test_duplicates_found_by_title_similarity() -> None:
    issues = [
        replace(issue(1), title="Fix CSV export encoding"),
        replace(issue(2), title="fix csv-export encoding!"),
        replace(issue(3), title="Redesign onboarding"),
    ]
    pairs = find_duplicates(issues, 0.88)
    assert [(p.a_key, p.b_key) for p in pairs] == [("K-1", "K-2")]


def test_bar_chart_marks_limits() -> None:
    svg = bar_chart([("In Progress", 5), ("Review", 2)], limits=[3, None])
    assert svg.count("<rect") == 2 and svg.count("<line") == 1 and "limit 3" in svg
    assert bar_chart([]) == ""


def test_histogram_is_logarithmic_for_heavy_tailed_scores() -> None:
    from syncer.report.content import histogram

    bins = histogram([0, 0, 1, 10, 100, 1000, 10000], bins=4)
    assert bins[0] == ("0", 2)
    assert [label for label, _ in bins[1:]] == ["1", "10", "100", "1,000"]
    assert sum(n for _, n in bins) == 7
    assert histogram([5, 6, 7], bins=2) == (("5", 1), ("6", 2))
