"""Aging: thresholds from config or from the team's own finished work, and in-progress spans in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syncer.alerts.aging import percentile, span_changes, threshold
from syncer.models import StatusCategory, TrackerIssue
from syncer.settings import AgingSettings
from tests.alerts.jobs import jsonl, run, set_status, write_settings

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_percentile_interpolates_like_a_spreadsheet() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 85) == pytest.approx(8.65)
    assert percentile([4.0], 85) == 4.0


def test_threshold_needs_enough_history_and_takes_the_lower_rule() -> None:
    history = [float(d) for d in range(1, 21)]  # 20 finished items, 1..20 days
    assert threshold(AgingSettings(), history[:9]) is None, "9 items are not enough history"
    learned = threshold(AgingSettings(), history)
    assert learned is not None
    assert learned.days == pytest.approx(17.15)
    assert "85th percentile of the 20 items" in learned.rule
    configured = threshold(AgingSettings(max_age_days=10), history)
    assert configured is not None
    assert (configured.days, configured.rule) == (10, "max_age_days = 10")
    assert threshold(AgingSettings(enabled=False, max_age_days=1), history) is None


def _issue(key: str, category: StatusCategory, entered: datetime) -> TrackerIssue:
    return TrackerIssue("t", key, key, "u", key, "s", category, entered, entered, status_entered=entered)


def test_spans_open_on_entering_progress_and_close_on_done_backlog_or_leaving_the_query() -> None:
    day = timedelta(days=1)
    issues = [
        _issue("NEW", StatusCategory.IN_PROGRESS, NOW - day),
        _issue("DONE", StatusCategory.DONE, NOW - 2 * day),
        _issue("BACK", StatusCategory.TODO, NOW - day),
        _issue("STILL", StatusCategory.IN_PROGRESS, NOW - day),
    ]
    open_spans = {"DONE": NOW - 9 * day, "BACK": NOW - 5 * day, "STILL": NOW - 8 * day, "GONE": NOW - 3 * day}
    changes = span_changes(issues, open_spans, NOW)
    assert changes.started == {"NEW": NOW - day}
    assert changes.finished == {"DONE": NOW - 2 * day, "GONE": NOW}
    assert changes.dropped == ["BACK"]


def test_item_past_max_age_gets_one_aging_alert_until_it_is_done(tmp_path: Path, backlog: Path, state_url: str) -> None:
    sink = tmp_path / "alerts.jsonl"
    extra = f'\n[aging]\nmax_age_days = 45\n\n[[alerts]]\nkind = "file"\npath = "{sink}"\ncategories = ["aging"]\n'
    settings = write_settings(tmp_path, backlog, state_url, extra)
    # T-1 entered progress on 2026-10-02 and T-2 on 2026-10-03: on 2026-11-17 only T-1 is past 45 days.
    start = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
    for hours in range(0, 5):
        run(settings, now=start + timedelta(hours=hours))
    assert [(m["event"], m["subject"]["issue"]) for m in jsonl(sink)] == [("started", "T-1")]

    set_status(backlog, "T-1", "Done", "done")
    run(settings, now=start + timedelta(hours=6))
    assert [(m["event"], m["subject"]["issue"]) for m in jsonl(sink)] == [("started", "T-1"), ("resolved", "T-1")]
