"""Schema version 2: in-progress spans (for aging alerts) and the status category in score history."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Index, Integer, MetaData, String, Table, text

from syncer.state.types import UTCDateTime

metadata = MetaData()

Table(
    "in_progress_spans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tracker", String(200), nullable=False),
    Column("issue_key", String(200), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("outcome", String(20)),
    Index("ix_spans_open", "tracker", "issue_key", "ended_at"),
    Index("ix_spans_finished", "tracker", "outcome", "ended_at"),
)


def upgrade(conn: Connection) -> None:
    # ADD COLUMN with a NULL default is cheap on both backends (no table rewrite); old rows keep NULL: unknown.
    conn.execute(text("ALTER TABLE score_history ADD COLUMN status_category VARCHAR(20)"))
    metadata.create_all(conn)
