"""Flow metrics and a delivery forecast (pure), for the grooming report.

From the items a team finished in the last `history_days`: weekly throughput, cycle-time percentiles per team
(lead time, created -> finished, where the start of work is unknown for most items),
Little's law (average WIP = throughput x average cycle time) read backwards to show what today's WIP implies,
a WIP limit suggested from throughput and a target cycle time, and a Monte Carlo forecast of how many days a
list of items (the Now bucket) takes, by resampling the team's own daily throughput.

Every function is deterministic: the forecast draws from a generator seeded by the caller.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from syncer.alerts.aging import percentile

DAY = timedelta(days=1)
LEVELS = (50, 85, 95)
"""Confidence levels and cycle-time percentiles shown in the report."""
TRIALS = 10_000
MAX_FORECAST_DAYS = 3650
"""A forecast that needs more than ten years of the measured throughput is reported as beyond reach."""
_DRAWS_AT_ONCE = 1_000_000
"""Draws held in memory at once (8 MB): a slow team's forecast runs in more blocks instead of a larger one."""


@dataclass(frozen=True, slots=True)
class Finished:
    """One item finished within the window: when it was started (first in progress), finished and created."""

    key: str
    team: str | None
    started: datetime | None
    finished: datetime
    created: datetime | None = None

    @property
    def cycle_days(self) -> float | None:
        if self.started is None or self.started > self.finished:
            return None
        return (self.finished - self.started) / DAY

    @property
    def lead_days(self) -> float | None:
        if self.created is None or self.created > self.finished:
            return None
        return (self.finished - self.created) / DAY


@dataclass(frozen=True, slots=True)
class CycleTime:
    items: int
    """Finished items measured (with a known start for cycle time, a known creation for lead time)."""
    percentiles: Mapping[int, float]
    """Level (50, 85, 95) -> days."""
    mean: float
    basis: str = "cycle"
    """"cycle" (start of work -> finished) or "lead" (created -> finished: the start of work is unknown for
    most items, and dropping those would keep only the ones syncer happened to see start)."""


@dataclass(frozen=True, slots=True)
class TeamFlow:
    team: str
    finished: int
    weekly: tuple[int, ...]
    """Items finished per 7-day week, oldest week first; the last week ends now."""
    per_day: float
    """Average throughput over the window, items per day."""
    cycle: CycleTime | None
    wip: int
    """Items in progress now."""
    implied_cycle_days: float | None
    """Little's law: today's WIP / throughput per day; compare with the measured mean cycle time."""
    suggested_wip: int | None
    """Throughput per day x target cycle time, rounded up; None without throughput or target."""


@dataclass(frozen=True, slots=True)
class Forecast:
    items: int
    """How many items the forecast is for."""
    trials: int
    days: Mapping[int, int] | None
    """Confidence level -> days within which the items are done in that share of trials; None when the
    history has no throughput at all (nothing was finished), so no forecast can be made."""
    beyond: bool = False
    """Some trials needed more than MAX_FORECAST_DAYS: the levels that depend on them say so."""


def daily_throughput(finished: Iterable[Finished], now: datetime, days: int) -> list[int]:
    """Items finished per day over the last `days` days, oldest first; the last day ends just before `now`."""
    start = now - days * DAY
    counts = [0] * days
    for item in finished:
        if start <= item.finished < now:
            counts[min(days - 1, int((item.finished - start) / DAY))] += 1
    return counts


def weekly_throughput(daily: Sequence[int]) -> tuple[int, ...]:
    """Daily counts (oldest first) summed into 7-day weeks that end with the last day; a partial oldest week is
    dropped, since fewer days would read as a slump."""
    weeks = len(daily) // 7
    tail = daily[len(daily) - weeks * 7 :]
    return tuple(sum(tail[i * 7 : (i + 1) * 7]) for i in range(weeks))


def _times(days: Sequence[float], basis: str) -> CycleTime:
    return CycleTime(len(days), {level: percentile(days, level) for level in LEVELS}, sum(days) / len(days), basis)


def cycle_time(finished: Iterable[Finished]) -> CycleTime | None:
    """Cycle-time percentiles when at least half the items know when work started; otherwise lead time over
    every item that knows when it was created (None when neither is known for any)."""
    items = list(finished)
    cycle = [d for d in (item.cycle_days for item in items) if d is not None]
    if cycle and 2 * len(cycle) >= len(items):
        return _times(cycle, "cycle")
    lead = [d for d in (item.lead_days for item in items) if d is not None]
    if lead:
        return _times(lead, "lead")
    return _times(cycle, "cycle") if cycle else None


def suggested_wip(per_day: float, target_cycle_days: float | None) -> int | None:
    """Little's law forwards: to finish items within the target on average, hold at most this many at once."""
    if target_cycle_days is None or per_day <= 0:
        return None
    return max(1, math.ceil(per_day * target_cycle_days - 1e-9))


def team_flow(
    team: str,
    finished: Sequence[Finished],
    wip: int,
    now: datetime,
    days: int,
    target_cycle_days: float | None,
) -> TeamFlow:
    """Flow figures for one team (or everyone) from its items finished in the last `days` days and today's WIP.

    Without a configured target, the target cycle time is the team's own 85th percentile: the limit that would
    keep most items as fast as most already are. A lead time is no such target (it includes the wait before work
    started, which a WIP limit does not bound), so a team measured by lead time gets no suggestion from it.
    """
    daily = daily_throughput(finished, now, days)
    total = sum(daily)
    per_day = total / days
    cycle = cycle_time(f for f in finished if now - days * DAY <= f.finished < now)
    measured = cycle.percentiles[85] if cycle is not None and cycle.basis == "cycle" else None
    target = target_cycle_days if target_cycle_days is not None else measured
    return TeamFlow(
        team=team,
        finished=total,
        weekly=weekly_throughput(daily),
        per_day=per_day,
        cycle=cycle,
        wip=wip,
        implied_cycle_days=wip / per_day if per_day > 0 else None,
        suggested_wip=suggested_wip(per_day, target),
    )


def flow_by_team(
    finished: Sequence[Finished],
    wip_by_team: Mapping[str, int],
    now: datetime,
    days: int,
    target_cycle_days: float | None = None,
    everyone: str = "all teams",
) -> list[TeamFlow]:
    """One `TeamFlow` per team (items without a team count as "no team"), then one for everyone together."""
    teams: dict[str, list[Finished]] = {}
    for item in finished:
        teams.setdefault(item.team or "no team", []).append(item)
    names = sorted(set(teams) | set(wip_by_team))
    out = [team_flow(n, teams.get(n, []), wip_by_team.get(n, 0), now, days, target_cycle_days) for n in names]
    if len(names) > 1:
        out.append(team_flow(everyone, finished, sum(wip_by_team.values()), now, days, target_cycle_days))
    return out


def forecast(items: int, daily: Sequence[int], seed: int, trials: int = TRIALS) -> Forecast:
    """How many days `items` items take, by Monte Carlo over the daily throughput history.

    Each trial draws days from `daily` (with replacement) until the draws add up to `items`; the number of days
    drawn is that trial's outcome. The answer for level p is the smallest day count within which at least p %
    of the trials finished.
    """
    if items <= 0:
        return Forecast(items, trials, {level: 0 for level in LEVELS})
    history = np.asarray(daily, dtype=np.int64)
    if history.size == 0 or not history.any():
        return Forecast(items, trials, None)
    rng = np.random.default_rng(seed)
    outcomes = np.full(trials, MAX_FORECAST_DAYS + 1, dtype=np.int64)
    done = np.zeros(trials, dtype=np.int64)
    elapsed = 0
    # Draw in blocks of days sized by the mean rate, so a typical forecast takes one or two blocks.
    block = int(min(MAX_FORECAST_DAYS, max(7, math.ceil(1.5 * items / history.mean()))))
    while elapsed < MAX_FORECAST_DAYS:
        open_trials = np.flatnonzero(outcomes > MAX_FORECAST_DAYS)
        if open_trials.size == 0:
            break
        span = min(block, MAX_FORECAST_DAYS - elapsed, max(1, _DRAWS_AT_ONCE // open_trials.size))
        draws = history[rng.integers(0, history.size, size=(open_trials.size, span))]
        totals = done[open_trials, None] + np.cumsum(draws, axis=1)
        reached = totals >= items
        hit = reached.any(axis=1)
        outcomes[open_trials[hit]] = elapsed + 1 + reached[hit].argmax(axis=1)
        done[open_trials] = totals[:, -1]
        elapsed += span
    ordered = np.sort(outcomes)
    days = {level: int(ordered[max(0, math.ceil(level / 100 * trials) - 1)]) for level in LEVELS}
    return Forecast(items, trials, days, beyond=any(d > MAX_FORECAST_DAYS for d in days.values()))


def wip_by_team(teams: Iterable[str | None]) -> dict[str, int]:
    """Count in-progress items per team (None as "no team")."""
    return dict(Counter(team or "no team" for team in teams))
