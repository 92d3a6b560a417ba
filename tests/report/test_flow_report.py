"""Flow metrics and the Now-list forecast in the grooming report, against hand-computed figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from syncer.models import CompletedIssue, ScoreResult, ScoreStatus, StatusCategory
from syncer.pipeline import RunReport, TrackerRun
from syncer.report.content import build_report
from syncer.report.flowview import build_flow, seed_for
from syncer.report.writer import render_html, render_markdown
from syncer.settings import ReportSettings
from tests.foundation.test_wip import NOW, issue


def _completed(tracker: str = "t", team: str = "ENG", *, start_days: float | None = 3.0) -> list[CompletedIssue]:
    # 14 completions, two each day of the last week, each created 10 days and started `start_days` before it.
    out = []
    for n in range(14):
        done = NOW - timedelta(days=n // 2 + 0.5)
        started = done - timedelta(days=start_days) if start_days is not None else None
        out.append(CompletedIssue(tracker, f"C-{n}", team, done - timedelta(days=10), done, started))
    return out


def _run(kind: str = "linear", *, start_days: float | None = 3.0) -> RunReport:
    # The tracker's 14 completions; 4 in progress; 10 open in Now; one canceled issue in the main fetch (done
    # category, not a completion: it must not count as throughput).
    canceled = replace(issue(1, category=StatusCategory.DONE, status="Canceled"), status_entered=NOW - timedelta(1))
    doing = [issue(n) for n in range(100, 104)]
    todo = [issue(n, category=StatusCategory.TODO, status="Backlog", days=None) for n in range(200, 210)]
    results = {
        i.ref: ScoreResult(i.ref, ScoreStatus.SCORED, score=float(300 - k), rank=k + 1, bucket="Now")
        for k, i in enumerate(todo)
    }
    run = TrackerRun("t", kind, issues=[canceled, *doing, *todo], results=results)
    run.completed = _completed(start_days=start_days)
    return RunReport(NOW - timedelta(minutes=1), False, [run], finished=NOW)


def test_flow_and_forecast_from_the_trackers_completed_issues() -> None:
    flow = build_flow(_run(), {}, {"t": {"ENG": 5}}, NOW, days=7)
    [team] = flow.teams
    assert (team.team, team.finished, team.weekly, team.per_day, team.wip) == ("ENG", 14, (14,), 2.0, 4)
    assert team.cycle is not None and team.cycle.basis == "cycle"
    assert dict(team.cycle.percentiles) == {50: 3.0, 85: 3.0, 95: 3.0}
    assert team.implied_cycle_days == 2.0  # Little's law: 4 in progress / 2 a day
    assert team.suggested_wip == 6  # 2 a day x 3 days (the 85th percentile)
    assert (flow.from_trackers, flow.with_start, flow.from_spans, flow.from_done) == (14, 14, 0, 0)
    assert flow.configured == {"ENG": 5}
    # Two a day, every day: 10 items take 5 days in every trial, whatever the seed.
    assert flow.forecast.items == 10 and dict(flow.forecast.days or {}) == {50: 5, 85: 5, 95: 5}
    assert flow.seed == seed_for(NOW) == 20261126


def test_without_a_start_of_work_a_team_is_measured_by_lead_time_and_gets_no_suggested_limit() -> None:
    run = _run("jira", start_days=None)
    flow = build_flow(run, {}, {"t": {"ENG": 5}}, NOW, days=7)
    [team] = flow.teams
    assert team.cycle is not None and team.cycle.basis == "lead"
    assert dict(team.cycle.percentiles) == {50: 10.0, 85: 10.0, 95: 10.0} and team.cycle.items == 14
    assert team.suggested_wip is None and team.implied_cycle_days == 2.0
    # Spans (syncer saw the issue start) fill in the start Jira does not give: 7 of 14 is enough for cycle time.
    spans = {"t": [(f"C-{n}", NOW - timedelta(days=n // 2 + 4.5), NOW) for n in range(7)]}
    [team] = build_flow(run, spans, {}, NOW, days=7).teams
    assert team.cycle is not None and team.cycle.basis == "cycle" and team.cycle.items == 7
    assert dict(team.cycle.percentiles) == {50: 4.0, 85: 4.0, 95: 4.0}
    assert team.suggested_wip == 8  # 2 a day x 4 days


def test_teams_are_per_tracker_with_each_trackers_limits() -> None:
    jira, linear, local = (TrackerRun(name, name) for name in ("jira", "linear", "local"))
    jira.completed = _completed("jira", "ACME")[:7]
    linear.completed = _completed("linear", "ENG")
    local.completed = _completed("local", "ENG")[:2]
    linear.issues = [replace(issue(n), tracker="linear") for n in range(3)]
    run = RunReport(NOW, False, [jira, linear, local], finished=NOW)
    configured = {"jira": {"ENG": 9}, "linear": {"ENG": 20}, "local": {}}
    flow = build_flow(run, {}, configured, NOW, days=7)
    rows = {t.team: (t.finished, t.wip) for t in flow.teams}
    assert rows == {"ACME (jira)": (7, 0), "ENG (linear)": (14, 3), "ENG (local)": (2, 0), "all teams": (23, 3)}
    assert flow.configured == {"ENG (jira)": 9, "ENG (linear)": 20}
    html = render_html(build_report(run, ReportSettings(), NOW, flow=flow))
    assert "<td>ENG (linear)</td>" in html and "6 / 20" in html  # 2 a day x 3 days, beside linear's 20


def test_a_tracker_whose_completed_issues_could_not_be_read_falls_back_and_says_so() -> None:
    run = _run()
    tracker = run.trackers[0]
    tracker.completed, tracker.completed_error = None, "Jira refused the completed-issues query"
    spans = {"t": [("K-1", NOW - timedelta(days=3.5), NOW - timedelta(days=0.5))]}
    flow = build_flow(run, spans, {}, NOW, days=7)
    assert (flow.from_trackers, flow.from_spans, flow.from_done) == (0, 1, 0)  # the span explains K-1
    assert flow.errors == {"t": "Jira refused the completed-issues query"}
    html = render_html(build_report(run, ReportSettings(), NOW, flow=flow))
    assert "t: the completed issues could not be read (Jira refused the completed-issues query)" in html


def test_report_shows_forecast_in_the_agenda_and_flow_table() -> None:
    run = _run("jira", start_days=None)
    flow = build_flow(run, {}, {"t": {"ENG": 5}}, NOW, days=7)
    report = build_report(run, ReportSettings(), NOW, flow=flow)
    html = render_html(report)
    agenda = html[html.index('id="agenda"') : html.index("</section>")]
    assert "The 10 open Now items are done within <strong>5 days</strong> (Tue 01 Dec 2026) at 50 %" in agenda
    assert "<h2>Flow and forecast</h2>" in html and "seed 20261126" in html
    assert '<td>ENG</td><td class="n">14</td><td class="n">14</td>' in html
    assert '10.0 / 10.0 / 10.0 <span class="muted">lead</span>' in html
    assert "— / 5" in html  # lead time: nothing suggested, the configured 5 beside it
    assert "t: lead time (created → resolved)" in html
    md = render_markdown(report)
    assert "| ENG | 14 | 14 | 10.0 / 10.0 / 10.0 lead | 4 | 2 | 10 | — / 5 |" in md


def test_no_forecast_without_throughput() -> None:
    run = _run()
    run.trackers[0].completed = []
    flow = build_flow(run, {}, {}, NOW, days=7)
    assert flow.forecast.days is None
    assert "No forecast: nothing was finished in the last 7 days" in render_html(
        build_report(run, ReportSettings(), NOW, flow=flow)
    )
