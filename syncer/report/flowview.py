"""Flow metrics and the Now-list forecast for the grooming report (pure): which items count as finished, today's
WIP per team, the configured team limits beside the suggested ones, and the seeded Monte Carlo forecast.

Finished items are the issues each tracker says were completed in the last `history_days` (`TrackerRun.completed`:
Jira `statusCategory = Done AND resolved >= -Nd` in the JQL's scope, Linear `completedAt`, the local file's done
records). When work started: Linear's `startedAt` and the local file's `started`; for Jira, which keeps it only in
the changelog, the state store's in-progress span when syncer saw the issue start (else it is unknown, and the
team is measured by lead time, created -> completed). A tracker whose completed issues could not be read falls
back to the state store's finished spans and the done issues its main query returned.

Teams are grouped per tracker, as the WIP limits are evaluated (`[wip] per_team` applies within one tracker): a
Jira team is its project key, a Linear team its key, a local team the record's `team`. With several trackers
each team is labelled with its tracker ("ENG (linear)"), so one team's figures are never summed across copies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syncer.flow import Finished, Forecast, TeamFlow, daily_throughput, flow_by_team, forecast, wip_by_team
from syncer.models import StatusCategory
from syncer.pipeline import RunReport, TrackerRun

Span = tuple[str, datetime, datetime]
"""(issue key, started, finished), as the state store keeps them."""

START_OF_WORK = {
    "jira": "lead time (created → resolved): Jira records the start of work only in the changelog, which is not "
    "read; cycle time for issues syncer saw enter progress",
    "linear": "cycle time (startedAt → completedAt)",
    "local": "cycle time (started → done) where a record has its start, else lead time (created → done)",
}
"""How each tracker kind's items are timed, for the report's note."""


@dataclass(frozen=True)
class FlowReport:
    days: int
    """The history window, `[aging] history_days`."""
    teams: tuple[TeamFlow, ...]
    configured: Mapping[str, int]
    """Team label -> configured WIP limit (`[wip] per_team`, or the tracker's own `[trackers.wip]`)."""
    forecast: Forecast
    """Days until the Now list's open items are done, at 50/85/95 % confidence."""
    seed: int
    from_trackers: int = 0
    """Finished items read from the trackers' completed issues."""
    with_start: int = 0
    """Finished items whose start of work is known (cycle time)."""
    from_spans: int = 0
    """Fallback: finished items known only from the state store's spans."""
    from_done: int = 0
    """Fallback: done issues the main query returned (finish only)."""
    kinds: Mapping[str, str] = field(default_factory=dict)
    """Tracker name -> kind, for the trackers whose completed issues were read."""
    errors: Mapping[str, str] = field(default_factory=dict)
    """Tracker name -> why its completed issues could not be read."""


def seed_for(now: datetime) -> int:
    """The forecast's seed: the report's date, so a day's reports agree and a rerun gives the same figures."""
    return int(now.strftime("%Y%m%d"))


def _label(team: str | None, tracker: str, several: bool) -> str:
    name = team or "no team"
    return f"{name} ({tracker})" if several else name


def _fallback(tracker: TrackerRun, spans: Sequence[Span]) -> dict[str, tuple[Finished, str]]:
    """Without the tracker's completed issues: done issues from the main query, then spans (which know starts)."""
    out: dict[str, tuple[Finished, str]] = {}
    by_key = {i.key: i for i in tracker.issues}
    for issue in tracker.issues:
        if issue.status_category is StatusCategory.DONE:
            finished = issue.status_entered or issue.updated
            out[issue.key] = (Finished(issue.key, issue.team, None, finished, issue.created), "done")
    for key, started, ended in spans:
        known = by_key.get(key)
        team, created = (known.team, known.created) if known else (None, None)
        out[key] = (Finished(key, team, started, ended, created), "span")
    return out


def _completed(tracker: TrackerRun, spans: Sequence[Span]) -> dict[str, tuple[Finished, str]]:
    """The tracker's completed issues; a span fills in the start of work the tracker did not give."""
    starts = {key: started for key, started, _ended in spans}
    out: dict[str, tuple[Finished, str]] = {}
    for c in tracker.completed or ():
        started = c.started or starts.get(c.key)
        out[c.key] = (Finished(c.key, c.team, started, c.completed, c.created), "tracker")
    return out


def finished_items(
    run: RunReport, spans: Mapping[str, Sequence[Span]], now: datetime, days: int
) -> list[tuple[str, Finished, str]]:
    """(tracker, item, source) for each item finished in the window; source is "tracker", "span" or "done"."""
    start = now.timestamp() - days * 86400
    out: list[tuple[str, Finished, str]] = []
    for tracker in run.trackers:
        mine = spans.get(tracker.name, ())
        found = _completed(tracker, mine) if tracker.completed is not None else _fallback(tracker, mine)
        out.extend(
            (tracker.name, item, source)
            for item, source in found.values()
            if start <= item.finished.timestamp() < now.timestamp()
        )
    return out


def build_flow(
    run: RunReport,
    spans: Mapping[str, Sequence[Span]],
    configured: Mapping[str, Mapping[str, int]],
    now: datetime,
    days: int,
    target_cycle_days: float | None = None,
) -> FlowReport:
    """`configured`: per tracker, its team WIP limits (`[wip] per_team` as that tracker applies it)."""
    healthy = [t for t in run.trackers if t.error is None]
    several = len(run.trackers) > 1
    items = finished_items(run, spans, now, days)
    finished = [
        Finished(item.key, _label(item.team, name, several), item.started, item.finished, item.created)
        for name, item, _source in items
    ]
    in_progress = [
        _label(i.team, t.name, several)
        for t in healthy
        for i in t.issues
        if i.status_category is StatusCategory.IN_PROGRESS
    ]
    limits = {
        _label(team, tracker, several): limit
        for tracker, teams in configured.items()
        for team, limit in teams.items()
        if any(t.name == tracker for t in run.trackers)
    }
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
        configured=limits,
        forecast=forecast(now_open, daily_throughput(finished, now, days), seed),
        seed=seed,
        from_trackers=sum(1 for _n, _i, source in items if source == "tracker"),
        with_start=sum(1 for f in finished if f.cycle_days is not None),
        from_spans=sum(1 for _n, _i, source in items if source == "span"),
        from_done=sum(1 for _n, _i, source in items if source == "done"),
        kinds={t.name: t.kind for t in run.trackers if t.completed is not None},
        errors={t.name: t.completed_error for t in run.trackers if t.completed_error},
    )
