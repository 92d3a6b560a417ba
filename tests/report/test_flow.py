"""Flow metrics and the Monte Carlo forecast against hand-computed cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncer.flow import (
    MAX_FORECAST_DAYS,
    Finished,
    cycle_time,
    daily_throughput,
    flow_by_team,
    forecast,
    suggested_wip,
    team_flow,
    weekly_throughput,
)

NOW = datetime(2026, 11, 29, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


def _done(key: str, finished: datetime, cycle_days: float | None = None, team: str | None = "ENG") -> Finished:
    started = None if cycle_days is None else finished - cycle_days * D
    return Finished(key, team, started, finished)


def test_daily_and_weekly_throughput_count_each_item_once_in_its_window() -> None:
    items = [
        _done("A", NOW - H),  # last day
        _done("B", NOW - 25 * H),  # the day before
        _done("C", NOW - 8 * D - H),  # second-to-last week
        _done("D", NOW),  # finished "now" is outside [now - 14d, now)
        _done("E", NOW - 14 * D),  # the window's first instant is inside
        _done("F", NOW - 15 * D),  # too old
    ]
    daily = daily_throughput(items, NOW, 14)
    assert daily == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1]
    assert weekly_throughput(daily) == (2, 2)
    # A partial oldest week is dropped: 10 days make one week, the last seven.
    assert weekly_throughput([5, 5, 5, 1, 1, 1, 1, 1, 1, 1]) == (7,)


def test_cycle_time_percentiles_interpolate_between_ranks() -> None:
    items = [_done(k, NOW - D, days) for k, days in zip("ABCDE", (1, 2, 3, 4, 10), strict=True)]
    items.append(_done("unknown start", NOW - D))  # no start: not a cycle time
    cycle = cycle_time(items)
    assert cycle is not None
    assert cycle.items == 5
    assert cycle.percentiles[50] == pytest.approx(3.0)
    assert cycle.percentiles[85] == pytest.approx(6.4)  # rank 3.4: 4 + (10 - 4) x 0.4
    assert cycle.percentiles[95] == pytest.approx(8.8)
    assert cycle.mean == pytest.approx(4.0)
    assert cycle_time([_done("X", NOW)]) is None


def test_littles_law_and_the_suggested_wip_limit() -> None:
    # 28 items in 14 days: 2 a day, each in progress 2 days.
    items = [_done(f"I-{n}", NOW - (n % 14) * D - H, 2.0) for n in range(28)]
    flow = team_flow("ENG", items, wip=6, now=NOW, days=14, target_cycle_days=2.5)
    assert (flow.finished, flow.per_day) == (28, 2.0)
    assert flow.weekly == (14, 14)
    assert flow.implied_cycle_days == pytest.approx(3.0)  # 6 in progress / 2 a day: 3 days, against 2 measured
    assert flow.cycle is not None and flow.cycle.mean == pytest.approx(2.0)
    assert flow.suggested_wip == 5  # 2 a day x 2.5 days
    # Without a target, the team's own 85th percentile (2 days) is the target: 2 x 2 = 4.
    assert team_flow("ENG", items, wip=6, now=NOW, days=14, target_cycle_days=None).suggested_wip == 4
    assert suggested_wip(0.0, 5.0) is None
    assert suggested_wip(0.1, 1.0) == 1


def test_flow_by_team_adds_everyone_when_there_are_several_teams() -> None:
    items = [_done("A", NOW - D, 1.0, "ENG"), _done("B", NOW - D, 3.0, "DES"), _done("C", NOW - D, 2.0, None)]
    flows = flow_by_team(items, {"ENG": 2, "OPS": 1}, NOW, 7)
    assert [f.team for f in flows] == ["DES", "ENG", "OPS", "no team", "all teams"]
    everyone = flows[-1]
    assert (everyone.finished, everyone.wip) == (3, 3)
    assert flows[2].finished == 0 and flows[2].implied_cycle_days is None


def test_forecast_with_a_constant_throughput_is_exact() -> None:
    result = forecast(10, [2] * 30, seed=1)
    assert result.days == {50: 5, 85: 5, 95: 5}
    assert result.trials == 10_000


def test_forecast_levels_match_the_geometric_distribution() -> None:
    # One item; each day finishes it with probability 3/4. P(done within 1 day) = 0.75, 2 days = 0.9375,
    # 3 days = 0.984: so 50 % -> 1 day, 85 % -> 2 days, 95 % -> 3 days.
    assert forecast(1, [0, 1, 1, 1], seed=7).days == {50: 1, 85: 2, 95: 3}


def test_forecast_is_deterministic_for_a_seed() -> None:
    history = [0, 0, 1, 3, 0, 2, 5, 0, 1, 0, 0, 4, 1, 2]
    first = forecast(40, history, seed=42)
    assert forecast(40, history, seed=42) == first
    assert first.days is not None and first.days[50] <= first.days[85] <= first.days[95]


def test_forecast_without_throughput_or_beyond_reach_says_so() -> None:
    assert forecast(5, [0] * 30, seed=1).days is None
    assert forecast(5, [], seed=1).days is None
    assert forecast(0, [1], seed=1).days == {50: 0, 85: 0, 95: 0}
    slow = forecast(100, [0] * 99 + [1], seed=1)  # one item per 100 days: about 10,000 days for 100
    assert slow.beyond
    assert slow.days is not None and slow.days[95] > MAX_FORECAST_DAYS
