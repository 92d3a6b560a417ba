"""WIP limits: N allowed, N+1 breaches; per status, assignee and team; config beats board; oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncer.models import StatusCategory, TrackerIssue, WipLimit
from syncer.settings import WipSettings
from syncer.wip import evaluate_wip, limits_from_settings, merge_limits

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def issue(
    n: int,
    *,
    status: str = "In Progress",
    assignee: str | None = "ana",
    team: str = "ENG",
    days: float | None = 1,
    subtask: bool = False,
    category: StatusCategory = StatusCategory.IN_PROGRESS,
) -> TrackerIssue:
    return TrackerIssue(
        tracker="t",
        key=f"K-{n}",
        id=str(n),
        url=f"https://t/K-{n}",
        title=f"i{n}",
        status=status,
        status_category=category,
        created=NOW - timedelta(days=90),
        updated=NOW,
        assignee=assignee,
        team=team,
        status_entered=None if days is None else NOW - timedelta(days=days),
        is_subtask=subtask,
    )


def test_limit_of_n_allows_n_and_breaches_at_n_plus_one() -> None:
    limits = [WipLimit("status", "In Progress", 2)]
    assert evaluate_wip("t", [issue(1), issue(2)], limits, NOW) == []
    [breach] = evaluate_wip("t", [issue(1), issue(2), issue(3)], limits, NOW)
    assert (breach.count, breach.limit) == (3, 2)


def test_items_oldest_in_status_first_unknown_last() -> None:
    issues = [issue(1, days=2), issue(2, days=None), issue(3, days=10), issue(4, days=5)]
    [breach] = evaluate_wip("t", issues, [WipLimit("status", "in progress", 1)], NOW)
    assert [i.ref.key for i in breach.items] == ["K-3", "K-4", "K-1", "K-2"]
    assert round(breach.items[0].age_days or 0) == 10


def test_per_assignee_applies_to_each_person_separately() -> None:
    issues = [
        issue(1),
        issue(2),
        issue(3, assignee="ben"),
        issue(4, assignee="ben"),
        issue(5, assignee="ben"),
    ]
    breaches = evaluate_wip("t", issues, limits_from_settings(WipSettings(per_assignee=2)), NOW)
    assert [(b.scope, b.name, b.count) for b in breaches] == [("assignee", "ben", 3)]


def test_per_assignee_and_team_count_only_in_progress() -> None:
    issues = [
        issue(1),
        issue(4),
        issue(2, status="Backlog", category=StatusCategory.TODO),
        issue(3, status="Done", category=StatusCategory.DONE),
    ]
    settings = WipSettings(per_assignee=1, per_team={"ENG": 1})
    breaches = evaluate_wip("t", issues, limits_from_settings(settings), NOW)
    assert [(b.scope, b.count) for b in breaches] == [("assignee", 2), ("team", 2)]


def test_subtasks_excluded_when_constraint_says_so() -> None:
    issues = [issue(1), issue(2, subtask=True)]
    column = WipLimit("status", "Doing", 1, source="board", exclude_subtasks=True, statuses=("In Progress",))
    assert evaluate_wip("t", issues, [column], NOW) == []
    assert len(evaluate_wip("t", issues, [WipLimit("status", "Doing", 1, statuses=("In Progress",))], NOW)) == 1


def test_config_limit_overrides_board_limit_for_same_column() -> None:
    merged = merge_limits(
        [WipLimit("status", "In Progress", 5)],
        [
            WipLimit("status", "in progress", 1, source="board"),
            WipLimit("status", "Review", 2, source="board"),
        ],
    )
    assert [(m.name, m.limit, m.source) for m in merged] == [
        ("In Progress", 5, "config"),
        ("Review", 2, "board"),
    ]
