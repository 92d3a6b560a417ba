"""Engines for the state store: SQLite (the default, a file under the working folder) or PostgreSQL.

SQLite is opened in WAL mode with a busy timeout and every transaction begins with `BEGIN IMMEDIATE`, so two
processes sharing one file take turns instead of failing with "database is locked" halfway through a write.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError

from syncer.settings.errors import ConfigError

SQLITE_BUSY_SECONDS = 30.0


def parse_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError("not a database URL (sqlite:///path or postgresql+psycopg://...)", key="state.url") from exc
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError(f"unsupported database {url.get_backend_name()!r}; use sqlite or postgresql", key="state.url")
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        # psycopg 3 is the driver we install; "postgresql://" alone would ask for psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return url


def display_url(url: URL) -> str:
    """The URL with its password masked, for logs and messages."""
    return url.render_as_string(hide_password=True)


def make_engine(raw_url: str) -> Engine:
    url = parse_url(raw_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # pool_pre_ping: a long-lived `syncer schedule` outlives server restarts and idle-connection reaping.
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        folder = Path(url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            message = f"cannot create the folder {folder} for the SQLite state file: {exc.strerror or exc}"
            raise ConfigError(message, key="state.url") from exc
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN IMMEDIATE below is the only BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction (the lease) cannot be
        # overtaken between its read and its write, and waits (busy timeout) rather than failing mid-way.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def namespace(engine: Engine) -> str:
    """What distinguishes this state store from others on the same server: file path, or database + schema."""
    if engine.dialect.name == "sqlite":
        return str(Path(engine.url.database or ":memory:").resolve())
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT current_database(), current_schema()").one()
    return f"{row[0]}/{row[1]}"


def advisory_key(space: str, name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock`, unique per state store and tracker."""
    digest = hashlib.sha256(f"syncer-run-lock\0{space}\0{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
