"""Score history: rows only when something changed, and the comment line that explains the change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from syncer.history import comment_lines, moves, snapshot
from syncer.models import Breakdown, ScoreResult, ScoreStatus, StatusCategory, TrackerIssue
from syncer.state import StateStore

DAY1 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _issue(key: str = "ACME-1", **inputs: Any) -> TrackerIssue:
    return TrackerIssue(
        tracker="jira",
        key=key,
        id="1",
        url=f"https://example.test/{key}",
        title="t",
        status="Backlog",
        status_category=StatusCategory.TODO,
        created=DAY1,
        updated=DAY1,
        inputs={"reach": 200, "impact": 2, **inputs},
    )


def _result(issue: TrackerIssue, score: float | None, rank: int | None = 1) -> ScoreResult:
    if score is None:
        return ScoreResult(issue.ref, ScoreStatus.NEEDS_INPUT)
    breakdown = Breakdown("rice", "reach x impact", {}, {})
    return ScoreResult(issue.ref, ScoreStatus.SCORED, score=score, breakdown=breakdown, rank=rank, bucket="Now")


def _run(store: StateStore, issue: TrackerIssue, score: float | None, at: datetime, rank: int = 1) -> tuple[str, ...]:
    """One run as the job does it: explain from history, then record."""
    result = _result(issue, score, rank)
    lines = comment_lines([issue], {issue.ref: result}, store.history("jira"), model="rice")
    store.record_history(None, [snapshot(issue, result, model="rice")], at)
    return lines.get(issue.ref, ())


def test_unchanged_issue_adds_no_rows_and_keeps_no_explanation(state_url: str) -> None:
    store = StateStore.open(state_url)
    try:
        issue = _issue()
        for n in range(5):
            assert _run(store, issue, 12.0, DAY1 + timedelta(hours=n)) == ()
        rows = store.history("jira")["ACME-1"]
        assert len(rows) == 1
        assert rows[0].first_seen == DAY1
        assert rows[0].last_seen == DAY1 + timedelta(hours=4)
    finally:
        store.close()


def test_change_is_explained_against_the_previous_distinct_value_and_stays_stable(state_url: str) -> None:
    store = StateStore.open(state_url)
    try:
        _run(store, _issue(reach=200), 12.0, DAY1)
        _run(store, _issue(reach=200), 12.0, DAY1 + timedelta(days=1))
        changed = _issue(reach=500)
        first = _run(store, changed, 30.0, DAY1 + timedelta(days=2))
        assert first == ("Score 12 -> 30 since 2026-11-21: reach 200 -> 500",)
        # Later runs with nothing new (even with rank moving) render the very same line: no comment rewrite.
        assert _run(store, changed, 30.0, DAY1 + timedelta(days=3), rank=4) == first
        assert _run(store, changed, 30.0, DAY1 + timedelta(days=9), rank=2) == first
    finally:
        store.close()


def test_losing_an_input_is_explained(state_url: str) -> None:
    store = StateStore.open(state_url)
    try:
        _run(store, _issue(effort=3), 12.5, DAY1)
        lines = _run(store, _issue(effort=None), None, DAY1 + timedelta(days=1))
        assert lines == ("Score 12.5 -> needs input since 2026-11-20: effort 3 -> (empty)",)
    finally:
        store.close()


def test_report_moves_compare_with_the_last_run(state_url: str) -> None:
    store = StateStore.open(state_url)
    try:
        a, b = _issue("ACME-1"), _issue("ACME-2", reach=100)
        store.record_history(
            None,
            [snapshot(a, _result(a, 12.0, 2), model="rice"), snapshot(b, _result(b, 20.0, 1), model="rice")],
            DAY1,
        )
        now = [snapshot(a, _result(a, 30.0, 1), model="rice"), snapshot(b, _result(b, 20.0, 2), model="rice")]
        moved = moves(now, store.history("jira"))
        assert [(m["key"], m["score_from"], m["score_to"], m["rank_from"], m["rank_to"]) for m in moved] == [
            ("ACME-1", 12.0, 30.0, 2, 1),
            ("ACME-2", 20.0, 20.0, 1, 2),
        ]
    finally:
        store.close()


def test_a_nan_or_infinite_input_is_recorded_and_explained(state_url: str) -> None:
    # A local backlog written by Python's json module can hold NaN/Infinity; scoring reports them as needing
    # input, and the history must neither crash on them (PostgreSQL's json rejects NaN) nor mis-explain them.
    store = StateStore.open(state_url)
    try:
        _run(store, _issue(effort=3), 12.5, DAY1)
        lines = _run(store, _issue(effort=float("nan"), confidence=float("inf")), None, DAY1 + timedelta(days=1))
        assert lines == ("Score 12.5 -> needs input since 2026-11-20: confidence (empty) -> inf, effort 3 -> nan",)
        again = _run(store, _issue(effort=float("nan"), confidence=float("inf")), None, DAY1 + timedelta(days=2))
        assert again == lines
        assert len(store.history("jira")["ACME-1"]) == 2, "an unchanged NaN input is not a change"
    finally:
        store.close()


def test_condensed_history_explains_exactly_as_the_full_one(state_url: str) -> None:
    """`distinct=` keeps the newest row and the first older one that differs from it: whatever the current state,
    the explanation is the one the full history gives (a 50,000-issue run must not hold every row ever kept)."""
    from syncer.history import significant

    store = StateStore.open(state_url)
    try:
        issue = _issue()
        # Score 12, 12 (rank moves only), 30, 30, 12: five states, four rows.
        for n, (score, rank) in enumerate([(12.0, 1), (12.0, 2), (30.0, 2), (30.0, 3), (12.0, 3)]):
            _run(store, issue, score, DAY1 + timedelta(days=n), rank)
        full = store.history("jira")["ACME-1"]
        condensed = store.history("jira", distinct=significant)["ACME-1"]
        assert len(full) == 5 and len(condensed) == 2
        assert [r.id for r in condensed] == [full[0].id, full[1].id]
        for score in (12.0, 30.0, 99.0, None):
            now = {issue.ref: _result(issue, score, 3)}
            assert comment_lines([issue], now, {"ACME-1": condensed}, model="rice") == comment_lines(
                [issue], now, {"ACME-1": full}, model="rice"
            )
        assert len(store.history("jira", depth=1)["ACME-1"]) == 1
    finally:
        store.close()
