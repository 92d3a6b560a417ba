"""Alert episodes and the delivery outbox in the state store.

Decisions and the messages they produce are written in one transaction, so an episode never moves on without
its message being queued. A message is marked delivered right after the destination accepted it; one that
failed stays pending and is retried on the next run, oldest first, so nothing is lost and nothing is sent twice
(short of a crash between the send and the mark; the webhook's delivery id lets a receiver drop that duplicate).
A message the destination keeps refusing is dead-lettered: kept with its last error, no longer retried.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from syncer.alerts.episodes import Decision, OpenEpisode
from syncer.alerts.events import AlertEvent, Subject
from syncer.state import schema as t

ERROR_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    sink: str
    tracker: str
    event: AlertEvent
    attempts: int
    error: str
    dead_at: datetime


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    id: int
    sink: str
    tracker: str
    event: AlertEvent
    attempts: int


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open_episodes(self, sink: str, tracker: str) -> dict[str, OpenEpisode]:
        e = t.alert_episodes
        query = select(e).where(e.c.sink == sink, e.c.tracker == tracker, e.c.resolved_at.is_(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return {
            r["key"]: OpenEpisode(
                r["id"], r["key"], r["category"], r["tracker"], r["started_at"], r["last_notified_at"], r["subject"]
            )
            for r in rows
        }

    def apply(self, sink: str, decisions: Sequence[Decision], now: datetime) -> list[AlertEvent]:
        """Persist the decisions for one destination and queue their messages; return the queued events."""
        events: list[AlertEvent] = []
        e = t.alert_episodes
        with self.engine.begin() as conn:
            for d in decisions:
                if d.action == "start":
                    assert d.subject is not None
                    episode_id = conn.execute(
                        insert(e)
                        .values(
                            sink=sink,
                            key=d.key,
                            category=d.subject.category,
                            tracker=d.subject.tracker,
                            subject=dict(d.subject.data),
                            started_at=now,
                            last_notified_at=now,
                        )
                        .returning(e.c.id)
                    ).scalar_one()
                    event = AlertEvent.new("started", d.subject, episode_started=now, at=now)
                elif d.action in ("remind", "refresh"):
                    assert d.subject is not None
                    assert d.episode is not None
                    values: dict[str, Any] = {"subject": dict(d.subject.data)}
                    if d.action == "remind":
                        values["last_notified_at"] = now
                    conn.execute(update(e).where(e.c.id == d.episode.id).values(**values))
                    if d.action == "refresh":
                        continue
                    episode_id = d.episode.id
                    event = AlertEvent.new("reminder", d.subject, episode_started=d.episode.started_at, at=now)
                else:
                    assert d.episode is not None
                    ep = d.episode
                    conn.execute(update(e).where(e.c.id == ep.id).values(resolved_at=now))
                    last = Subject(ep.key, "aging" if ep.category == "aging" else "wip", ep.tracker, ep.subject)
                    episode_id = ep.id
                    event = AlertEvent.new("resolved", last, episode_started=ep.started_at, at=now)
                conn.execute(
                    insert(t.deliveries).values(
                        event_id=event.id,
                        episode_id=episode_id,
                        sink=sink,
                        tracker=event.tracker,
                        event=event.to_json(),
                        created_at=now,
                        attempts=0,
                    )
                )
                events.append(event)
        return events

    def pending(self, sinks: Iterable[str], trackers: Iterable[str]) -> list[PendingDelivery]:
        """Undelivered messages for these destinations and trackers, oldest first."""
        d = t.deliveries
        query = (
            select(d)
            .where(
                d.c.delivered_at.is_(None),
                d.c.dead_at.is_(None),
                d.c.sink.in_(list(sinks)),
                d.c.tracker.in_(list(trackers)),
            )
            .order_by(d.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            PendingDelivery(r["id"], r["sink"], r["tracker"], AlertEvent.from_json(r["event"]), r["attempts"])
            for r in rows
        ]

    def mark_delivered(self, delivery_id: int, at: datetime) -> None:
        d = t.deliveries
        with self.engine.begin() as conn:
            conn.execute(
                update(d)
                .where(d.c.id == delivery_id)
                .values(delivered_at=at, last_attempt_at=at, attempts=d.c.attempts + 1, last_error=None)
            )

    def mark_failed(self, delivery_id: int, at: datetime, error: str) -> None:
        d = t.deliveries
        with self.engine.begin() as conn:
            conn.execute(
                update(d)
                .where(d.c.id == delivery_id)
                .values(last_attempt_at=at, attempts=d.c.attempts + 1, last_error=error[:ERROR_LIMIT])
            )

    def mark_dead(self, delivery_id: int, at: datetime, error: str) -> None:
        """A failed attempt after which the message is no longer retried (it stays in the table)."""
        d = t.deliveries
        with self.engine.begin() as conn:
            conn.execute(
                update(d)
                .where(d.c.id == delivery_id)
                .values(last_attempt_at=at, attempts=d.c.attempts + 1, last_error=error[:ERROR_LIMIT], dead_at=at)
            )

    def dead_letters(self, sink: str | None = None) -> list[DeadLetter]:
        """Every dead-lettered message (optionally for one destination), oldest first."""
        d = t.deliveries
        query = select(d).where(d.c.dead_at.is_not(None)).order_by(d.c.id)
        if sink is not None:
            query = query.where(d.c.sink == sink)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            DeadLetter(
                r["id"],
                r["sink"],
                r["tracker"],
                AlertEvent.from_json(r["event"]),
                r["attempts"],
                r["last_error"] or "",
                r["dead_at"],
            )
            for r in rows
        ]

    def count_pending(self, sinks: Iterable[str], trackers: Iterable[str]) -> int:
        d = t.deliveries
        query = select(func.count()).where(
            d.c.delivered_at.is_(None),
            d.c.dead_at.is_(None),
            d.c.sink.in_(list(sinks)),
            d.c.tracker.in_(list(trackers)),
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def delivered(self, sink: str | None = None) -> list[AlertEvent]:
        """Every delivered message (optionally for one destination), in delivery order."""
        d = t.deliveries
        query = select(d.c.event).where(d.c.delivered_at.is_not(None)).order_by(d.c.delivered_at, d.c.id)
        if sink is not None:
            query = query.where(d.c.sink == sink)
        with self.engine.connect() as conn:
            return [AlertEvent.from_json(r.event) for r in conn.execute(query)]
