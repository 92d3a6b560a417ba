"""Tracker connectors, built from a `[[trackers]]` entry by `build_connector`."""

from __future__ import annotations

from connectors.base import TrackerConnector
from syncer.settings import (
    HttpSettings,
    JiraTrackerSettings,
    LinearTrackerSettings,
    LocalTrackerSettings,
    TrackerSettings,
)


def build_connector(
    tracker: TrackerSettings, *, index: int, http: HttpSettings, config_path: str | None = None
) -> TrackerConnector:
    """Instantiate the connector for one tracker entry; imports are lazy so a local-only run never loads jira."""
    if isinstance(tracker, LocalTrackerSettings):
        from connectors.local.connector import LocalConnector

        return LocalConnector(tracker)
    if isinstance(tracker, JiraTrackerSettings):
        from connectors.jira.connector import JiraConnector

        return JiraConnector(tracker, http=http, token=tracker.resolve_token(index, config_path))
    if isinstance(tracker, LinearTrackerSettings):
        from connectors.linear.connector import LinearConnector

        return LinearConnector(tracker, http=http, token=tracker.resolve_token(index, config_path))
    raise AssertionError(f"unknown tracker kind: {tracker!r}")
