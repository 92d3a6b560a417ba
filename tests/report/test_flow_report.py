"""Flow metrics and the Now-list forecast in the grooming report, against hand-computed figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from syncer.models import ScoreResult, ScoreStatus, StatusCategory
from syncer.pipeline import RunReport, TrackerRun
from syncer.report.content import build_report
from syncer.report.flowview import build_flow, seed_for
from syncer.report.writer import render_html, render_markdown
from syncer.settings import ReportSettings
from tests.foundation.test_wip import NOW, issue


def _run() -> RunReport:
    # 14 done issues, two finishing each day of the last week; 4 in progress; 10 open in Now.
    done = [
        replace(
            issue(n, category=StatusCategory.DONE, status="Done"), status_entered=NOW - timedelta(days=n // 2 + 0.5)
        )
        for n in range(14)
    ]
    doing = [issue(n) for n in range(100, 104)]
    todo = [issue(n, category=StatusCategory.TODO, status="Backlog", days=None) for n in range(200, 210)]
    results = {
        i.ref: ScoreResult(i.ref, ScoreStatus.SCORED, score=float(300 - k), rank=k + 1, bucket="Now")
        for k, i in enumerate(todo)
    }
    run = TrackerRun("t", "local", issues=done + doing + todo, results=results)
    return RunReport(NOW - timedelta(minutes=1), False, [run], finished=NOW)


def test_flow_and_forecast_from_done_issues_and_spans() -> None:
    # K-1 was also seen in progress for 3 days: its span gives a cycle time and is not counted twice.
    spans = {"t": [("K-1", NOW - timedelta(days=3.5), NOW - timedelta(days=0.5))]}
    flow = build_flow(_run(), spans, {"ENG": 5}, NOW, days=7)
    [team] = flow.teams
    assert (team.team, team.finished, team.weekly, team.per_day, team.wip) == ("ENG", 14, (14,), 2.0, 4)
    assert team.cycle is not None and dict(team.cycle.percentiles) == {50: 3.0, 85: 3.0, 95: 3.0}
    assert team.implied_cycle_days == 2.0  # Little's law: 4 in progress / 2 a day
    assert team.suggested_wip == 6  # 2 a day x 3 days (the 85th percentile)
    assert (flow.from_spans, flow.from_done) == (1, 13)
    # Two a day, every day: 10 items take 5 days in every trial, whatever the seed.
    assert flow.forecast.items == 10 and dict(flow.forecast.days or {}) == {50: 5, 85: 5, 95: 5}
    assert flow.seed == seed_for(NOW) == 20261126


def test_report_shows_forecast_in_the_agenda_and_flow_table() -> None:
    run = _run()
    flow = build_flow(run, {}, {"ENG": 5}, NOW, days=7)
    report = build_report(run, ReportSettings(), NOW, flow=flow)
    html = render_html(report)
    agenda = html[html.index('id="agenda"') : html.index("</section>")]
    assert "The 10 open Now items are done within <strong>5 days</strong> (Tue 01 Dec 2026) at 50 %" in agenda
    assert "<h2>Flow and forecast</h2>" in html and "seed 20261126" in html
    assert '<td>ENG</td><td class="n">14</td><td class="n">14</td>' in html
    assert "— / 5" in html  # no cycle time without spans: nothing suggested, the configured 5 beside it
    md = render_markdown(report)
    assert "| ENG | 14 | 14 | — | 4 | 2 | — | — / 5 |" in md


def test_no_forecast_without_throughput() -> None:
    run = _run()
    run.trackers[0].issues = [i for i in run.trackers[0].issues if i.status_category is not StatusCategory.DONE]
    flow = build_flow(run, {}, {}, NOW, days=7)
    assert flow.forecast.days is None
    assert "No forecast: nothing was finished in the last 7 days" in render_html(
        build_report(run, ReportSettings(), NOW, flow=flow)
    )
