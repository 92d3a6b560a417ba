"""Schema version 3: a delivery that kept failing is dead-lettered (kept, no longer retried) instead of pending."""

from __future__ import annotations

from sqlalchemy import Connection, text

from syncer.state.types import UTCDateTime


def upgrade(conn: Connection) -> None:
    # ADD COLUMN with a NULL default is cheap on both backends; old rows keep NULL: not dead-lettered.
    kind = UTCDateTime().compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE deliveries ADD COLUMN dead_at {kind}"))
