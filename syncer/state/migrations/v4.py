"""Schema version 4: the run-lock holder's identity, so a lock left by a dead process on this host is taken over.

`host`, `pid` and `process` (boot id / pid namespace / start ticks) say who holds the lock; `backend_pid` is the
PostgreSQL server process holding the advisory lock for it, the one to end when that holder is known dead.
Rows written before version 4 keep NULL: unknown, so only their lease decides.
"""

from __future__ import annotations

from sqlalchemy import Connection, text


def upgrade(conn: Connection) -> None:
    for column in ("host VARCHAR(255)", "pid INTEGER", "process VARCHAR(300)", "backend_pid INTEGER"):
        conn.execute(text(f"ALTER TABLE run_locks ADD COLUMN {column}"))
