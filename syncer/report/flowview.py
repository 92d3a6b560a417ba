"""Flow metrics and the Now-list forecast for the grooming report (pure): which items count as finished, today's
WIP per team, the configured team limits beside the suggested ones, and the seeded Monte Carlo forecast.

Finished items come from what syncer already has, without extra tracker calls: the state store's in-progress
spans (an item seen entering progress and later finishing; these know both dates, so they give cycle times) and
done issues the connectors return (their finish date is when they entered the done status; their start is
unknown, so they count towards throughput only). Items completed before syncer first saw them in progress, in a
tracker whose query leaves done issues out, are not counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syncer.flow import Finished, Forecast, TeamFlow, daily_throughput, flow_by_team, forecast, wip_by_team
from syncer.models import StatusCategory
from syncer.pipeline import RunReport

Span = tuple[str, datetime, datetime]
"""(issue key, started, finished), as the state store keeps them."""


@dataclass(frozen=True)
class FlowReport:
    days: int
    """The history window, `[aging] history_days`."""
    teams: tuple[TeamFlow, ...]
    configured: Mapping[str, int]
    """Team -> configured WIP limit (`[wip] per_team`)."""
    forecast: Forecast
    """Days until the Now list's open items are done, at 50/85/95 % confidence."""
    seed: int
    from_spans: int
    """Finished items with a known start (cycle time)."""
    from_done: int
    """Done issues with only a finish date."""


def seed_for(now: datetime) -> int:
    """The forecast's seed: the report's date, so a day's reports agree and a rerun gives the same figures."""
    return int(now.strftime("%Y%m%d"))


def finished_items(run: RunReport, spans: Mapping[str, Sequence[Span]], now: datetime, days: int) -> list[Finished]:
    """One `Finished` per item done in the window, across trackers; a span wins over the done issue it explains."""
    out: dict[tuple[str, str], Finished] = {}
    for tracker in run.trackers:
        teams = {i.key: i.team for i in tracker.issues}
        for issue in tracker.issues:
            if issue.status_category is StatusCategory.DONE:
                finished = issue.status_entered or issue.updated
                out[(tracker.name, issue.key)] = Finished(issue.key, issue.team, None, finished)
        for key, started, ended in spans.get(tracker.name, ()):
            out[(tracker.name, key)] = Finished(key, teams.get(key), started, ended)
    start = now.timestamp() - days * 86400
    return [f for f in out.values() if start <= f.finished.timestamp() < now.timestamp()]


def build_flow(
    run: RunReport,
    spans: Mapping[str, Sequence[Span]],
    configured: Mapping[str, int],
    now: datetime,
    days: int,
    target_cycle_days: float | None = None,
) -> FlowReport:
    healthy = [t for t in run.trackers if t.error is None]
    finished = finished_items(run, spans, now, days)
    in_progress = [i.team for t in healthy for i in t.issues if i.status_category is StatusCategory.IN_PROGRESS]
    now_open = sum(
        1
        for t in healthy
        for i in t.issues
        if i.status_category is not StatusCategory.DONE and (r := t.results.get(i.ref)) and r.bucket == "Now"
    )
    seed = seed_for(now)
    return FlowReport(
        days=days,
        teams=tuple(flow_by_team(finished, wip_by_team(in_progress), now, days, target_cycle_days)),
        configured=dict(configured),
        forecast=forecast(now_open, daily_throughput(finished, now, days), seed),
        seed=seed,
        from_spans=sum(1 for f in finished if f.started is not None),
        from_done=sum(1 for f in finished if f.started is None),
    )
