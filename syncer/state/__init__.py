"""The worker's memory between runs: state store, run lock, alert outbox (SQLite or PostgreSQL)."""

from __future__ import annotations

from syncer.state.migrations import StateSchemaError, StateUnavailable
from syncer.state.store import HistoryRow, Snapshot, StateStore

__all__ = ["HistoryRow", "Snapshot", "StateSchemaError", "StateStore", "StateUnavailable"]
