"""The write-ahead journal of worker-comment writes: which issues may hold a comment the tracker lost track of.

Before a connector creates or edits its comment on an issue it records the issue here; once the tracker has
recorded the comment (Jira: the `syncer.comment` property is saved) the entry is removed. An entry that is still
there when the next run starts means that run died, or an answer or a property save was lost, between the two:
exactly the issues whose comments are worth reading again. Every other issue is trusted as the tracker reports it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select

from syncer.state import schema as t
from syncer.state.store import StateStore

CHUNK = 500


class StoreJournal:
    """One tracker's journal in the state store. `read_only` (dry runs) sees the entries and changes nothing."""

    def __init__(self, store: StateStore, tracker: str, *, read_only: bool = False) -> None:
        self.store = store
        self.tracker = tracker
        self.read_only = read_only

    def unfinished(self) -> set[str]:
        j = t.comment_journal
        with self.store.engine.connect() as conn:
            return {r.issue_key for r in conn.execute(select(j.c.issue_key).where(j.c.tracker == self.tracker))}

    def begin(self, keys: Collection[str]) -> None:
        if self.read_only or not keys:
            return
        j = t.comment_journal
        now = datetime.now(UTC)
        wanted = sorted(set(keys))
        with self.store.engine.begin() as conn:
            # Delete-then-insert: an upsert both SQLite and PostgreSQL run the same way, in one transaction.
            for chunk in _chunks(wanted):
                conn.execute(delete(j).where(j.c.tracker == self.tracker, j.c.issue_key.in_(chunk)))
            conn.execute(insert(j), [{"tracker": self.tracker, "issue_key": k, "started_at": now} for k in wanted])

    def finish(self, keys: Collection[str]) -> None:
        if self.read_only or not keys:
            return
        j = t.comment_journal
        with self.store.engine.begin() as conn:
            for chunk in _chunks(sorted(set(keys))):
                conn.execute(delete(j).where(j.c.tracker == self.tracker, j.c.issue_key.in_(chunk)))


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]
