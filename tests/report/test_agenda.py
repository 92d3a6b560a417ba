"""The agenda at the top of the grooming report: what the meeting decides, across trackers, before the detail."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from syncer.models import IssueRef, WipBreach, WipItem
from syncer.pipeline import run_sync
from syncer.report import build_report, write_reports
from syncer.report.agenda import DUPLICATES_SHOWN, NO_ASSIGNEE, build_agenda
from syncer.report.content import GroomingReport, IssueRow, TrackerSection
from syncer.report.duplicates import DuplicatePair
from syncer.report.writer import render_html, render_markdown
from syncer.settings import ReportSettings, load_settings

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def row(tracker: str, key: str, **kw: object) -> IssueRow:
    base: dict[str, object] = dict(
        tracker=tracker, key=key, title=f"title of {key}", url=f"https://{tracker}.test/{key}", status="Backlog",
        assignee=None, score=None, rank=None, bucket=None, breakdown=None, problems=(),
    )  # fmt: skip
    base.update(kw)
    return IssueRow(**base)  # type: ignore[arg-type]


def pair(a: str, b: str, similarity: float) -> DuplicatePair:
    return DuplicatePair(
        a, f"title {a}", f"https://jira.test/{a}", b, f"title {b}", f"https://jira.test/{b}", similarity
    )


def section(name: str, rows: list[IssueRow], **kw: object) -> TrackerSection:
    ranked = tuple(sorted((r for r in rows if r.rank), key=lambda r: r.rank or 0))
    base: dict[str, object] = dict(
        name=name, kind=name, error=None, issues=len(rows), scored=len(ranked), top=ranked,
        needs_input=tuple(r for r in rows if r.problems), breaches=(), stale=(), duplicates=(),
        buckets=(("Now", 1),), score_histogram=(("0", 1), ("10", 2)),
    )  # fmt: skip
    base.update(kw)
    return TrackerSection(**base)  # type: ignore[arg-type]


def two_trackers() -> GroomingReport:
    jira = [
        row("jira", "J-1", score=50.0, rank=1, bucket="Now", value=500.0, effort=10.0, change="Score 5 -> 50 since 2026-11-20: reach 10 -> 100"),
        row("jira", "J-2", score=5.0, rank=2, bucket="Later", value=50.0, effort=10.0),
        row("jira", "J-3", problems=("reach: missing",), missing=("reach",), assignee="ana"),
        row("jira", "J-4", problems=("reach: missing", "effort: not a number"), missing=("reach", "effort")),
        row("jira", "J-5", score=1.0, rank=3, bucket="Later", value=2.0, effort=2.0, status="In Progress", in_progress_days=40.0),
    ]  # fmt: skip
    linear = [
        row("linear", "L-1", score=70.0, rank=1, bucket="Now", value=700.0, effort=10.0),
        row("linear", "L-2", problems=("effort: missing",), missing=("effort",), assignee="ana"),
        row("linear", "L-3", score=3.0, rank=2, bucket="Next", value=3.0, effort=1.0, status="In Review", in_progress_days=90.0),
    ]  # fmt: skip
    breach = WipBreach(
        "linear", "status", "In Review", 1, 3,
        (WipItem(IssueRef("linear", "L-3"), "t", "https://linear.test/L-3", NOW, 90.0),),
    )  # fmt: skip
    dupes = (*(pair(f"J-{10 + i}", f"J-{30 + i}", 0.99 - i / 100) for i in range(7)), pair("J-8", "J-9", 0.89))
    sections = (section("jira", jira, duplicates=dupes), section("linear", linear, breaches=(breach,)))
    return GroomingReport(NOW, False, sections, tuple(jira + linear))


def test_agenda_is_one_list_across_trackers_with_needs_input_grouped_by_input_and_owner() -> None:
    agenda = build_agenda(two_trackers())
    assert [r.key for r in agenda.now] == ["L-1", "J-1"]  # one Now list, highest score first, both trackers
    assert [r.key for r in agenda.changed] == ["J-1"]
    assert [(g.name, [r.key for r in g.rows]) for g in agenda.by_input] == [
        ("effort", ["J-4", "L-2"]),
        ("reach", ["J-3", "J-4"]),
    ]
    assert [(g.name, g.inputs, [r.key for r in g.rows]) for g in agenda.by_owner] == [
        ("ana", ("reach", "effort"), ["J-3", "L-2"]),
        (NO_ASSIGNEE, ("reach", "effort"), ["J-4"]),
    ]
    assert [r.key for r in agenda.movers] == ["J-1"]
    assert [r.key for r in agenda.aging] == ["L-3", "J-5"]  # oldest first
    # Only likely duplicates, and at most a few: the 0.89 pair and the sixth and seventh pairs stay in the detail.
    assert len(agenda.duplicates) == DUPLICATES_SHOWN
    assert all(p.similarity >= 0.9 for p in agenda.duplicates)
    assert [(f.name, f.now, f.needs_input, f.breaches) for f in agenda.figures] == [
        ("jira", 1, 2, 0),
        ("linear", 1, 1, 1),
    ]
    assert len(agenda.points) == 5  # one per ranked issue


def test_html_puts_the_agenda_first_and_the_detail_in_details() -> None:
    html = render_html(two_trackers())
    agenda_at, details_at = html.index('id="agenda"'), html.index("<details>")
    assert agenda_at < details_at
    agenda = html[agenda_at:details_at]
    for key in ("L-1", "J-1", "J-3", "J-4", "L-2", "L-3"):
        assert f'href="https://{"jira" if key[0] == "J" else "linear"}.test/{key}">{key}</a>' in agenda
    assert "reach 10 -&gt; 100" in agenda and NO_ASSIGNEE in agenda and "J-34" in agenda
    assert "J-15" not in agenda and "J-8" not in agenda  # the sixth pair, and the pair below 90 %
    # Every tracker's detail (ranking, distributions) is collapsed.
    assert html.count("<details>") == 2 and html.count("</details>") == 2
    assert html.index("Score distribution") > details_at
    assert "score (from)" in html and "issues →" in html  # the distribution chart's axis titles
    assert len(re.findall(r'<circle class="mark"', html)) == 5


def test_markdown_puts_the_agenda_first() -> None:
    md = render_markdown(two_trackers())
    assert md.index("## Agenda") < md.index("## Trackers") < md.index("# Detail")
    assert "| 1 | [L\\-1](https://linear.test/L-1) |" in md
    assert "| reach | 2 | [J\\-3](https://jira.test/J-3), [J\\-4](https://jira.test/J-4) |" in md


def test_an_empty_backlog_gives_a_friendly_page(write_config, tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    backlog.write_text(json.dumps({"version": 1, "issues": []}), encoding="utf-8")
    run = run_sync(load_settings(write_config(backlog=backlog)), dry_run=True, now=NOW)
    write_reports(build_report(run, ReportSettings(), NOW), tmp_path / "out", ["md", "html"])
    html = (tmp_path / "out" / "grooming-report.html").read_text()
    md = (tmp_path / "out" / "grooming-report.md").read_text()
    for text in (html, md):
        assert "Nothing to groom yet" in text and "syncer doctor" in text
    assert "<svg" not in html and "Agenda: what to decide today" not in html
