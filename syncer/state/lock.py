"""The run lock: one run per tracker at a time, on one state store.

Each tracker has a row in `run_locks`: the holder (host, pid, process identity, see `syncer.state.holder`) and
a lease, renewed by a heartbeat thread every third of the lease while the run lasts. A lock whose holder is gone
is taken over:

- on the same host, at once, when the holder's process provably no longer exists (a SIGKILL, an OOM kill);
- from another host, when its lease ran out without a heartbeat (a crashed or partitioned machine).

SQLite: the row is the lock (written in a `BEGIN IMMEDIATE` transaction, so two starters take turns).

PostgreSQL: `pg_try_advisory_lock` on a connection held for the whole run is the lock; the row is informational
and names the server process (`backend_pid`) holding it. The server frees the lock when that connection ends,
but only once its backend notices the client is gone: a moment after a local crash, hours after a machine
vanished (TCP keepalive). So when the row proves the holder dead (as above), the new run ends that backend
(`pg_terminate_backend`) and waits briefly for the lock instead of trusting the timing.

A run that stalled past its lease and was taken over finds out in `check()` before its next write. Several
trackers are locked all-or-nothing, in sorted order (a unified ranking across trackers takes all their locks).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from syncer.state import schema as t
from syncer.state.engine import advisory_key
from syncer.state.holder import Holder, dead_here
from syncer.state.store import StateStore

__all__ = ["Holder", "LockHeld", "LockLost", "RunLock", "acquire"]

log = logging.getLogger(__name__)

TAKEOVER_WAIT_SECONDS = 5.0
"""PostgreSQL: how long to wait for the advisory lock after ending a dead holder's backend."""


class LockHeld(Exception):
    """Another run holds the lock for a tracker (exit code 4)."""

    def __init__(self, tracker: str, holder: str, store: str) -> None:
        self.tracker = tracker
        self.holder = holder
        super().__init__(
            f"tracker {tracker!r} is being synced by another run ({holder}); state {store}. "
            "This run did nothing; the next scheduled run will pick up the work."
        )


class LockLost(LockHeld):
    """The lock was lost mid-run (a lease that expired, a dropped lock connection): stop before writing."""

    def __init__(self, trackers: Sequence[str], why: str, store: str) -> None:
        self.tracker = ", ".join(trackers)
        self.holder = "unknown"
        Exception.__init__(
            self,
            f"lost the run lock for {self.tracker} ({why}); state {store}. Another run may have taken over, so "
            "this run stopped before writing; the next run picks up the work.",
        )


@dataclass
class RunLock:
    """Hold with `with acquire(...)`; `lost` turns True when the heartbeat finds the lock taken over."""

    store: StateStore
    trackers: tuple[str, ...]
    holder: Holder
    lease: timedelta
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    lost: bool = False
    _conn: Connection | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _renewer: threading.Thread | None = None
    _guard: threading.Lock = field(default_factory=threading.Lock)
    """The PostgreSQL lock connection is used by `check()` and `release()`, possibly from two threads (a signal's
    deadline releases the lock while the main thread may still be checking it)."""
    _released: bool = False

    @property
    def _postgres(self) -> bool:
        return self.store.engine.dialect.name == "postgresql"

    def acquire(self) -> RunLock:
        if self._postgres:
            self._acquire_advisory()
        else:
            self._acquire_lease()
        self._renewer = threading.Thread(target=self._renew_loop, name="syncer-lease", daemon=True)
        self._renewer.start()
        log.info("state.lock.acquired", extra={"trackers": list(self.trackers), "holder": self.holder.describe()})
        return self

    def release(self) -> None:
        """Free the lock; safe to call twice and from another thread (the second call does nothing)."""
        with self._guard:
            if self._released:
                return
            self._released = True
        self._stop.set()
        if self._renewer is not None and self._renewer is not threading.current_thread():
            self._renewer.join()
        try:
            with self.store.engine.begin() as conn:
                conn.execute(delete(t.run_locks).where(t.run_locks.c.token == self.token))
        finally:  # the advisory lock goes even when the informational row cannot be cleared
            with self._guard:
                held, self._conn = self._conn, None
            if held is not None:
                try:
                    for name in self.trackers:
                        held.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key(name)})
                except DBAPIError:
                    log.warning("state.lock.unlock-failed", exc_info=True)  # closing the connection frees it
                finally:
                    # Closing the real connection (not returning it to the pool) guarantees no lock outlives the run.
                    held.invalidate()
                    held.close()

    def check(self) -> None:
        """Raise `LockLost` unless the lock is still ours; called right before every write and alert.

        The heartbeat only notices a lost lease on its next tick, and an advisory lock vanishes silently with its
        connection (or is taken over by ending it), so a run that stalled (a suspended machine, a long database
        lock) must look before writing.
        """
        if self._postgres:
            with self._guard:
                try:
                    if self._conn is None:
                        raise RuntimeError("released")
                    self._conn.execute(text("SELECT 1"))
                except Exception as exc:
                    why = "the lock's database connection is gone"
                    raise LockLost(self.trackers, why, self.store.display_url) from exc
            if self.lost:
                raise LockLost(self.trackers, "it was taken over", self.store.display_url)
            return
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:
            renewed = conn.execute(
                update(t.run_locks)
                .where(t.run_locks.c.token == self.token, t.run_locks.c.expires_at > now)
                .values(expires_at=now + self.lease)
            ).rowcount
        if self.lost or renewed < len(self.trackers):
            self.lost = True
            raise LockLost(self.trackers, "its lease expired or was taken over", self.store.display_url)

    def __enter__(self) -> RunLock:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    # -- PostgreSQL ----------------------------------------------------------------------------------------

    def _key(self, tracker: str) -> int:
        return advisory_key(self.store.namespace, tracker)

    def _acquire_advisory(self) -> None:
        conn = self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        taken: list[str] = []
        for name in self.trackers:
            if self._try(conn, name) or self._take_over(conn, name):
                taken.append(name)
                continue
            for done in taken:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key(done)})
            conn.invalidate()
            conn.close()
            raise LockHeld(name, self._holder_of(name), self.store.display_url)
        self._conn = conn
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        now = datetime.now(UTC)
        with self.store.engine.begin() as tx:
            # Informational: the advisory lock is the authority; this row names us and our backend.
            self._write_rows(tx, now, backend_pid=backend)

    def _try(self, conn: Connection, name: str) -> bool:
        return bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key(name)}).scalar())

    def _take_over(self, conn: Connection, name: str) -> bool:
        """Take the lock of a holder the row proves gone: end its backend, then wait for the lock."""
        row = self._row(name)
        if row is None or not self._gone(row):
            return False
        key = self._key(name)
        holders = {
            int(pid)
            for pid in conn.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                    " AND classid::bigint = :hi AND objid::bigint = :lo"
                ),
                {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF},
            ).scalars()
        }
        if holders and row.backend_pid not in holders:
            return False  # held by a backend the row does not name: some other live run
        if row.backend_pid in holders:
            try:
                conn.execute(text("SELECT pg_terminate_backend(:b)"), {"b": row.backend_pid})
            except DBAPIError as exc:
                # Ending another session needs the same role (or pg_signal_backend); without it, the lease or the
                # server's own TCP keepalive frees the lock later.
                log.warning("state.lock.cannot-end-dead-holder", extra={"tracker": name, "error": str(exc)})
                return False
        log.warning("state.lock.dead-holder-taken-over", extra={"tracker": name, "holder": row.holder})
        deadline = time.monotonic() + TAKEOVER_WAIT_SECONDS
        while not self._try(conn, name):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    # -- SQLite --------------------------------------------------------------------------------------------

    def _acquire_lease(self) -> None:
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:  # BEGIN IMMEDIATE: nobody can slip in between read and write
            rows = conn.execute(select(t.run_locks).where(t.run_locks.c.tracker.in_(self.trackers))).all()
            for row in sorted(rows, key=lambda r: r.tracker):
                if row.token == self.token:
                    continue
                if not self._gone(row, now):
                    raise LockHeld(
                        row.tracker, f"{row.holder}, lease until {_hms(row.expires_at)}", self.store.display_url
                    )
            self._write_rows(conn, now)

    # -- shared --------------------------------------------------------------------------------------------

    def _gone(self, row: Row[Any], now: datetime | None = None) -> bool:
        """The row's holder is provably dead on this host, or (from any host) its lease ran out."""
        if dead_here(row.host, row.pid, row.process):
            log.warning("state.lock.holder-dead", extra={"tracker": row.tracker, "holder": row.holder})
            return True
        if row.expires_at <= (now or datetime.now(UTC)):
            log.warning("state.lock.expired-lease-taken-over", extra={"tracker": row.tracker, "holder": row.holder})
            return True
        return False

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            now = datetime.now(UTC)
            try:
                with self.store.engine.begin() as conn:
                    renewed = conn.execute(
                        update(t.run_locks).where(t.run_locks.c.token == self.token).values(expires_at=now + self.lease)
                    ).rowcount
            except Exception:  # a busy database must not kill the heartbeat; the next tick tries again
                log.exception("state.lock.renew-failed")
                continue
            if renewed < len(self.trackers):
                self.lost = True
                log.error("state.lock.lost", extra={"trackers": list(self.trackers)})

    def _write_rows(self, conn: Connection, now: datetime, *, backend_pid: int | None = None) -> None:
        conn.execute(delete(t.run_locks).where(t.run_locks.c.tracker.in_(self.trackers)))
        conn.execute(
            insert(t.run_locks),
            [
                {
                    "tracker": name,
                    "holder": self.holder.describe(),
                    "token": self.token,
                    "acquired_at": now,
                    "expires_at": now + self.lease,
                    "host": self.holder.host,
                    "pid": self.holder.pid,
                    "process": self.holder.process or None,
                    "backend_pid": backend_pid,
                }
                for name in self.trackers
            ],
        )

    def _row(self, tracker: str) -> Row[Any] | None:
        with self.store.engine.connect() as conn:
            return conn.execute(select(t.run_locks).where(t.run_locks.c.tracker == tracker)).first()

    def _holder_of(self, tracker: str) -> str:
        row = self._row(tracker)
        if row is None:
            return "holder unknown"
        return f"{row.holder}, lease until {_hms(row.expires_at)}"


def _hms(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def acquire(
    store: StateStore, trackers: Sequence[str], *, lease_seconds: float, holder: Holder | None = None
) -> RunLock:
    """Lock every named tracker or none; raise `LockHeld` naming the first one another run holds."""
    lock = RunLock(store, tuple(sorted(set(trackers))), holder or Holder.current(), timedelta(seconds=lease_seconds))
    return lock.acquire()
