"""Schema version 5: the write-ahead journal of worker-comment writes (`comment_journal`)."""

from __future__ import annotations

from sqlalchemy import Column, Connection, MetaData, String, Table

from syncer.state.types import UTCDateTime

metadata = MetaData()

Table(
    "comment_journal",
    metadata,
    Column("tracker", String(200), primary_key=True),
    Column("issue_key", String(200), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
)


def upgrade(conn: Connection) -> None:
    metadata.create_all(conn)
