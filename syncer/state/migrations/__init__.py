"""Versioned schema migrations: a small runner over numbered steps, each a function of one connection.

An empty database is brought to the latest version; an older one is upgraded step by step on start (all steps
in one transaction, so a failed upgrade leaves the old schema intact); a newer one is refused, because an old
worker writing to a schema it does not understand would corrupt it. Concurrent starters are serialised:
`BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on PostgreSQL.

Each step module keeps its own table definitions (a snapshot as of that version) rather than importing
`syncer.state.schema`, so later changes to the current schema never rewrite history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection, Engine, inspect, text

from syncer.state.engine import advisory_key, display_url, namespace
from syncer.state.migrations import v1, v2, v3, v4, v5
from syncer.state.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

STEPS: dict[int, Callable[[Connection], None]] = {
    1: v1.upgrade,
    2: v2.upgrade,
    3: v3.upgrade,
    4: v4.upgrade,
    5: v5.upgrade,
}
assert max(STEPS) == SCHEMA_VERSION, "every schema version needs a migration step"

_OURS = {"runs", "score_history", "alert_episodes", "deliveries", "run_locks"}


class StateSchemaError(Exception):
    """The state database cannot be used: unreachable, written by a newer syncer, or not a syncer database."""


class StateUnavailable(StateSchemaError):
    """The state database could not be reached (a server restart, a network blip): worth retrying later."""


def read_version(conn: Connection) -> int | None:
    """The stored schema version; None for a database syncer never touched."""
    if not inspect(conn).has_table("syncer_schema"):
        return None
    value = conn.execute(text("SELECT version FROM syncer_schema")).scalar()
    return int(value) if value is not None else 0


def migrate(engine: Engine, target: int = SCHEMA_VERSION) -> int:
    """Bring the database to `target` (default: the latest version); return the version it was at."""
    space = namespace(engine) if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # The name has a space, so no tracker's run lock (tracker names have none) shares its key.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": advisory_key(space, "schema migration")})
        found = read_version(conn)
        if found is None:
            strangers = _OURS & set(inspect(conn).get_table_names())
            if strangers:
                raise StateSchemaError(
                    f"{display_url(engine.url)} has tables {sorted(strangers)} but no syncer_schema version; "
                    "point [state] url at a database (or schema) of its own"
                )
            conn.execute(text("CREATE TABLE syncer_schema (version INTEGER NOT NULL)"))
            conn.execute(text("INSERT INTO syncer_schema (version) VALUES (0)"))
            found = 0
        if found > SCHEMA_VERSION:
            raise StateSchemaError(
                f"the state database {display_url(engine.url)} is at schema version {found}, but this syncer "
                f"knows versions up to {SCHEMA_VERSION}: it was written by a newer syncer. Upgrade syncer, "
                "or point [state] url at another database"
            )
        for version in range(found + 1, target + 1):
            STEPS[version](conn)
            conn.execute(text("UPDATE syncer_schema SET version = :v"), {"v": version})
            log.info("state.migrated", extra={"version": version})
    return found
