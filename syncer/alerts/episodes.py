"""Episode logic (pure): when does a situation deserve a message?

An episode starts when a subject first appears (one "started" message), is reminded about every
`remind_after` while it lasts (one "reminder" each time), and ends when the subject is gone (one "resolved"
message). Every other run in between sends nothing, however often cron runs the worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from syncer.alerts.events import Subject

Action = Literal["start", "remind", "refresh", "resolve"]


@dataclass(frozen=True, slots=True)
class OpenEpisode:
    id: int
    key: str
    category: str
    tracker: str
    started_at: datetime
    last_notified_at: datetime
    subject: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    key: str
    subject: Subject | None
    """The subject as seen now; None when resolving (the episode's last subject is used instead)."""
    episode: OpenEpisode | None

    @property
    def notifies(self) -> bool:
        return self.action != "refresh"


def decide(
    open_episodes: Mapping[str, OpenEpisode],
    current: Mapping[str, Subject],
    *,
    now: datetime,
    remind_after: timedelta,
) -> list[Decision]:
    """What to do for each open episode and each current subject, in a stable order (by key)."""
    decisions: list[Decision] = []
    for key in sorted(set(open_episodes) | set(current)):
        episode = open_episodes.get(key)
        subject = current.get(key)
        if episode is None and subject is not None:
            decisions.append(Decision("start", key, subject, None))
        elif episode is not None and subject is None:
            decisions.append(Decision("resolve", key, None, episode))
        elif episode is not None and subject is not None:
            due = now - episode.last_notified_at >= remind_after
            decisions.append(Decision("remind" if due else "refresh", key, subject, episode))
    return decisions
