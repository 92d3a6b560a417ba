"""Decide and deliver: turn the situations seen in a run into queued messages, then send what is pending.

Deciding and queueing happen in one transaction per destination (see `syncer.state.outbox`); sending happens
afterwards, message by message, oldest first. When a destination fails (unreachable, 5xx, timed out), its
remaining messages wait for the next run, so its messages never arrive out of order ("resolved" before
"started"). A failure of one message (it cannot be built, or the destination refuses that message) does not
hold back the others; after `max_attempts` such failures the message is dead-lettered: kept in the state
store with its last error, reported, and no longer retried.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from syncer.alerts.base import DeliveryError
from syncer.alerts.destinations import Destination
from syncer.alerts.episodes import decide
from syncer.alerts.events import Subject
from syncer.state.outbox import Outbox

log = logging.getLogger(__name__)


@dataclass
class AlertReport:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    pending: int = 0
    dead_lettered: int = 0
    errors: list[str] = field(default_factory=list)
    sent_by_tracker: Counter[str] = field(default_factory=Counter)
    sent_by_destination: Counter[str] = field(default_factory=Counter)
    dead_by_tracker: Counter[str] = field(default_factory=Counter)


def queue(
    outbox: Outbox,
    destinations: Sequence[Destination],
    subjects: Mapping[str, Sequence[Subject]],
    *,
    now: datetime,
) -> int:
    """Run the episode logic for every destination and tracker evaluated this run; return messages queued.

    `subjects` holds an entry (possibly empty) for each tracker that was read successfully; a tracker that
    failed is absent, so its open episodes are left alone rather than "resolved" for lack of data.
    """
    queued = 0
    for dest in destinations:
        for tracker, found in subjects.items():
            if not dest.follows(tracker):
                continue
            current = {s.key: s for s in found if dest.wants(s)}
            decisions = decide(
                outbox.open_episodes(dest.name, tracker), current, now=now, remind_after=dest.config.remind_after
            )
            events = outbox.apply(dest.name, decisions, now)
            queued += len(events)
            for event in events:
                log.info("alerts.queued", extra={"sink": dest.name, "type": event.type, "key": event.key})
    return queued


def deliver(
    outbox: Outbox,
    destinations: Sequence[Destination],
    trackers: Sequence[str],
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AlertReport:
    """Send every pending message for these destinations and trackers (retries included)."""
    report = AlertReport()
    by_name = {d.name: d for d in destinations}
    blocked: set[str] = set()
    for pending in outbox.pending(by_name, trackers):
        if pending.sink in blocked:
            continue
        dest = by_name[pending.sink]
        try:
            dest.sink.send(pending.event)
        except Exception as exc:  # one destination's failure, whatever it is, must not starve the others
            # Only a DeliveryError's text is known to be free of secrets; anything else is named by its type.
            # Something unexpected is raised while handling this one message, so it is this message's fault.
            if isinstance(exc, DeliveryError):
                error, message_fault = str(exc), exc.message_fault
            else:
                error, message_fault = _unexpected(dest, exc), True
            report.failed += 1
            attempts = pending.attempts + 1
            if message_fault and attempts >= dest.config.max_attempts:
                error = f"{error}; dead-lettered after {attempts} attempts (delivery {pending.event.id})"
                outbox.mark_dead(pending.id, clock(), error)
                report.dead_lettered += 1
                report.dead_by_tracker[pending.tracker] += 1
                log.error("alerts.dead-lettered", extra={"sink": pending.sink, "attempts": attempts})
            else:
                outbox.mark_failed(pending.id, clock(), error)
                log.warning("alerts.delivery-failed", extra={"sink": pending.sink, "attempts": attempts})
            report.errors.append(error)
            if not message_fault:
                blocked.add(pending.sink)  # the destination is down: its later messages wait, in order
            continue
        outbox.mark_delivered(pending.id, clock())
        report.sent += 1
        report.sent_by_tracker[pending.tracker] += 1
        report.sent_by_destination[pending.sink] += 1
    report.pending = outbox.count_pending(by_name, trackers)
    return report


def _unexpected(dest: Destination, exc: Exception) -> str:
    log.error("alerts.delivery-crashed", extra={"sink": dest.name, "error": type(exc).__name__})
    return f"{dest.config.kind} destination {dest.name!r}: failed unexpectedly ({type(exc).__name__})"
