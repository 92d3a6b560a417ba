"""Episode decisions (pure): start, remind when due, resolve, and silence in between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncer.alerts.episodes import OpenEpisode, decide
from syncer.alerts.events import Subject

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def _subject(key: str) -> Subject:
    return Subject(key, "wip", "jira", {"count": 4})


def _open(key: str, notified_ago: timedelta) -> OpenEpisode:
    return OpenEpisode(1, key, "wip", "jira", NOW - 3 * DAY, NOW - notified_ago, {"count": 5})


def test_each_situation_gets_exactly_the_message_it_deserves() -> None:
    open_episodes = {
        "jira/status/Review": _open("jira/status/Review", timedelta(hours=2)),
        "jira/status/QA": _open("jira/status/QA", DAY),
        "jira/team/ENG": _open("jira/team/ENG", timedelta(hours=1)),
    }
    current = {k: _subject(k) for k in ("jira/status/Review", "jira/status/QA", "jira/status/Doing")}
    decisions = {d.key: d.action for d in decide(open_episodes, current, now=NOW, remind_after=DAY)}
    assert decisions == {
        "jira/status/Doing": "start",
        "jira/status/QA": "remind",
        "jira/status/Review": "refresh",
        "jira/team/ENG": "resolve",
    }


def test_nothing_open_and_nothing_current_decides_nothing() -> None:
    assert decide({}, {}, now=NOW, remind_after=DAY) == []
