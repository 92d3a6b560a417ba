"""The state store's tables at the current schema version (see `migrations` for how a database gets here).

runs              one row per `syncer run` attempt: when, which trackers, outcome, counts, error summary
score_history     one row per issue each time its score, rank, bucket, inputs or status changed
in_progress_spans when an item entered "in progress" and when it left (finished or dropped) (v2)
alert_episodes    one breach (or aging item) as seen by one alert destination: started .. resolved
deliveries        every message an episode produced for a destination; pending until delivered or dead-lettered (v3)
run_locks         who holds each tracker's run lock (host, pid, process identity) and until when (v4: the holder)
comment_journal   worker-comment writes begun and not yet recorded on the tracker (v5): where to look again
syncer_schema     the schema version, one row
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from syncer.state.types import UTCDateTime

SCHEMA_VERSION = 5

metadata = MetaData()

schema_version = Table("syncer_schema", metadata, Column("version", Integer, nullable=False))

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("trackers", String(1000), nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("holder", String(300), nullable=False),
    Column("outcome", String(40), nullable=False),
    Column("counts", JSON, nullable=False),
    Column("error", Text),
)

score_history = Table(
    "score_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    Column("tracker", String(200), nullable=False),
    Column("issue_key", String(200), nullable=False),
    Column("model", String(40), nullable=False),
    Column("score", Float),
    Column("rank", Integer),
    Column("bucket", String(100)),
    Column("inputs_hash", String(64), nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("status_category", String(20)),
    Index("ix_score_history_issue", "tracker", "issue_key", "id"),
)

in_progress_spans = Table(
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

alert_episodes = Table(
    "alert_episodes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sink", String(200), nullable=False),
    Column("key", String(500), nullable=False),
    Column("category", String(20), nullable=False),
    Column("tracker", String(200), nullable=False),
    Column("subject", JSON, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("last_notified_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    Index("ix_episodes_open", "sink", "tracker", "resolved_at"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("episode_id", Integer, ForeignKey("alert_episodes.id", ondelete="SET NULL")),
    Column("sink", String(200), nullable=False),
    Column("tracker", String(200), nullable=False),
    Column("event", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_attempt_at", UTCDateTime),
    Column("last_error", Text),
    Column("delivered_at", UTCDateTime),
    Column("dead_at", UTCDateTime),
    Index("ix_deliveries_pending", "sink", "tracker", "delivered_at"),
)

run_locks = Table(
    "run_locks",
    metadata,
    Column("tracker", String(200), primary_key=True),
    Column("holder", String(300), nullable=False),
    Column("token", String(64), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("host", String(255)),
    Column("pid", Integer),
    Column("process", String(300)),
    Column("backend_pid", Integer),
)

comment_journal = Table(
    "comment_journal",
    metadata,
    Column("tracker", String(200), primary_key=True),
    Column("issue_key", String(200), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
)
