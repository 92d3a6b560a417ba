"""Configured alert destinations: a name (the identity episodes are remembered by), filters, and a sink."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from syncer.alerts.base import Sink
from syncer.alerts.console import ConsoleSink, FileSink
from syncer.alerts.email import EmailSink
from syncer.alerts.events import Subject
from syncer.alerts.slack import SlackSink
from syncer.alerts.webhook import WebhookSink
from syncer.settings import AlertSettings
from syncer.settings.alerts import ConsoleAlert, EmailAlert, FileAlert, SlackAlert, WebhookAlert
from syncer.settings.errors import ConfigError


@dataclass(frozen=True)
class Destination:
    name: str
    config: AlertSettings
    sink: Sink

    def follows(self, tracker: str) -> bool:
        return not self.config.trackers or tracker in self.config.trackers

    def wants(self, subject: Subject) -> bool:
        if not self.follows(subject.tracker) or subject.category not in self.config.categories:
            return False
        if not self.config.teams:
            return True
        wanted = {t.casefold() for t in self.config.teams}
        return any(team.casefold() in wanted for team in subject.teams)


def names(entries: Sequence[AlertSettings]) -> list[str]:
    """`name` when set; else the kind, numbered from the second of a kind on ("webhook", "webhook-2")."""
    seen: Counter[str] = Counter()
    out: list[str] = []
    for entry in entries:
        seen[entry.kind] += 1
        out.append(entry.name or (entry.kind if seen[entry.kind] == 1 else f"{entry.kind}-{seen[entry.kind]}"))
    return out


def build(entries: Sequence[AlertSettings], client: httpx.Client) -> list[Destination]:
    """Resolve URLs, hosts and secrets (from config or the environment); a missing variable is a ConfigError."""
    out: list[Destination] = []
    taken: set[str] = set()
    for index, (entry, name) in enumerate(zip(entries, names(entries), strict=True)):
        key = f"alerts[{index}]"
        if name in taken:
            # The name is the destination's identity in the state store (episodes, pending deliveries).
            raise ConfigError(
                f"another [[alerts]] entry is already named {name!r}; give each a unique name", key=f"{key}.name"
            )
        taken.add(name)
        sink: Sink
        if isinstance(entry, ConsoleAlert):
            sink = ConsoleSink(name, entry.stream)
        elif isinstance(entry, FileAlert):
            sink = FileSink(name, entry.path)
        elif isinstance(entry, SlackAlert):
            sink = SlackSink(name, entry.resolved_url(key), client)
        elif isinstance(entry, WebhookAlert):
            sink = WebhookSink(name, entry.resolved_url(key), entry.resolved_secret(key), client)
        elif isinstance(entry, EmailAlert):
            sink = EmailSink(
                name,
                host=entry.resolved_host(key),
                port=entry.port,
                starttls=entry.starttls,
                sender=entry.sender,
                to=list(entry.to),
                username=entry.username,
                password=entry.resolved_password(key),
                timeout=entry.timeout,
                ca_file=entry.ca_file,
            )
        else:  # pragma: no cover - the discriminated union admits nothing else
            raise AssertionError(entry)
        out.append(Destination(name, entry, sink))
    return out
