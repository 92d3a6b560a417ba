"""Schema versions: a database made by the previous version is upgraded in place; a newer one is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from syncer.state import StateSchemaError, StateStore
from syncer.state.engine import make_engine
from syncer.state.migrations import migrate, read_version
from syncer.state.schema import SCHEMA_VERSION, metadata


def _version(url: str) -> int | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return read_version(conn)
    finally:
        engine.dispose()


def test_fresh_database_gets_the_latest_schema(state_url: str) -> None:
    store = StateStore.open(state_url)
    try:
        columns = {name: {c["name"] for c in inspect(store.engine).get_columns(name)} for name in metadata.tables}
    finally:
        store.close()
    assert _version(state_url) == SCHEMA_VERSION
    for table in metadata.tables.values():
        assert columns[table.name] == {c.name for c in table.columns}, table.name


def test_a_version_1_database_is_upgraded_and_keeps_its_data(state_url: str) -> None:
    engine = make_engine(state_url)
    migrate(engine, target=1)
    seen = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO score_history (tracker, issue_key, model, score, rank, bucket, inputs_hash, inputs,"
                " first_seen, last_seen) VALUES ('jira', 'ACME-1', 'rice', 12.0, 3, 'Next', 'h1', '{\"reach\": 200}',"
                " :seen, :seen)"
            ),
            {"seen": seen.replace(tzinfo=None) if engine.dialect.name == "sqlite" else seen},
        )
        assert "in_progress_spans" not in inspect(conn).get_table_names()
    engine.dispose()
    assert _version(state_url) == 1

    store = StateStore.open(state_url)
    try:
        rows = store.history("jira")["ACME-1"]
        assert _version(state_url) == SCHEMA_VERSION
        assert [(r.snapshot.score, r.snapshot.rank, dict(r.snapshot.inputs)) for r in rows] == [
            (12.0, 3, {"reach": 200})
        ]
        assert rows[0].snapshot.status_category is None
        assert rows[0].first_seen == seen
        assert store.open_spans("jira") == {}
    finally:
        store.close()


def test_a_version_2_database_keeps_its_pending_deliveries_pending(state_url: str) -> None:
    engine = make_engine(state_url)
    migrate(engine, target=2)
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO deliveries (event_id, sink, tracker, event, created_at, attempts)"
                " VALUES ('e1', 'slack', 'jira', :event, :at, 2)"
            ),
            {
                "event": '{"id": "e1", "type": "started", "category": "aging", "key": "jira/aging/ACME-1",'
                ' "tracker": "jira", "episode_started": "2026-11-20T09:00:00+00:00",'
                ' "at": "2026-11-20T09:00:00+00:00", "data": {}}',
                "at": at.replace(tzinfo=None) if engine.dialect.name == "sqlite" else at,
            },
        )
    engine.dispose()

    store = StateStore.open(state_url)
    try:
        from syncer.state.outbox import Outbox

        outbox = Outbox(store.engine)
        assert [(p.event.id, p.attempts) for p in outbox.pending(["slack"], ["jira"])] == [("e1", 2)]
        assert outbox.dead_letters() == []
    finally:
        store.close()


def test_a_lock_row_from_before_v4_still_blocks_until_its_lease_ends(state_url: str) -> None:
    from syncer.state.lock import LockHeld, acquire

    engine = make_engine(state_url)
    migrate(engine, target=3)
    until = datetime(2099, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO run_locks (tracker, holder, token, acquired_at, expires_at)"
                " VALUES ('jira', 'pid 1 on old-worker', 'old', :at, :until)"
            ),
            {
                k: v.replace(tzinfo=None) if engine.dialect.name == "sqlite" else v
                for k, v in {"at": until, "until": until}.items()
            },
        )
    engine.dispose()
    store = StateStore.open(state_url)
    try:
        if store.engine.dialect.name == "sqlite":  # on PostgreSQL the row is informational: no advisory lock held
            with pytest.raises(LockHeld, match="pid 1 on old-worker"):
                acquire(store, ["jira"], lease_seconds=30)
        assert _version(state_url) == SCHEMA_VERSION
    finally:
        store.close()


def test_newer_schema_is_refused_with_a_clear_message(state_url: str) -> None:
    StateStore.open(state_url).close()
    engine = make_engine(state_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE syncer_schema SET version = :v"), {"v": SCHEMA_VERSION + 1})
    engine.dispose()
    with pytest.raises(StateSchemaError, match=f"schema version {SCHEMA_VERSION + 1}.*newer syncer"):
        StateStore.open(state_url)


def test_opening_twice_is_harmless(state_url: str) -> None:
    StateStore.open(state_url).close()
    StateStore.open(state_url).close()
    assert _version(state_url) == SCHEMA_VERSION


def test_unreachable_database_is_a_clear_error_without_the_password() -> None:
    url = "postgresql+psycopg://syncer:hunter2@127.0.0.1:1/state?connect_timeout=2"
    with pytest.raises(StateSchemaError, match=r"cannot use the state database .*127\.0\.0\.1:1/state") as caught:
        StateStore.open(url)
    assert "hunter2" not in str(caught.value)
