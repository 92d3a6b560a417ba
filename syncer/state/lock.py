"""The run lock: one run per tracker at a time, on one state store.

PostgreSQL: `pg_try_advisory_lock` on a connection held for the whole run. The server drops the lock the moment
that connection goes away, so a crashed (even SIGKILLed) run never blocks the next one.

SQLite: a lease row per tracker with the holder and an expiry, renewed by a background thread while the run
lasts. A crashed holder stops renewing, so it blocks the next run at most until its lease expires.

Either way the holder (host, pid, start time) is written to `run_locks` so a refused run can name it. Several
trackers are locked all-or-nothing, in sorted order (a unified ranking across trackers takes all their locks).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType

from sqlalchemy import Connection, delete, insert, select, text, update

from syncer.state import schema as t
from syncer.state.engine import advisory_key
from syncer.state.store import StateStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Holder:
    host: str
    pid: int
    started: datetime

    @classmethod
    def current(cls) -> Holder:
        return cls(socket.gethostname(), os.getpid(), datetime.now(UTC))

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started.isoformat(timespec='seconds')}"


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
    """Hold with `with acquire(...)`; `lost` turns True if a SQLite lease could not be renewed in time."""

    store: StateStore
    trackers: tuple[str, ...]
    holder: Holder
    lease: timedelta
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    lost: bool = False
    _conn: Connection | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _renewer: threading.Thread | None = None

    @property
    def _postgres(self) -> bool:
        return self.store.engine.dialect.name == "postgresql"

    def acquire(self) -> RunLock:
        if self._postgres:
            self._acquire_advisory()
        else:
            self._acquire_lease()
        log.info("state.lock.acquired", extra={"trackers": list(self.trackers), "holder": self.holder.describe()})
        return self

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        try:
            with self.store.engine.begin() as conn:
                conn.execute(delete(t.run_locks).where(t.run_locks.c.token == self.token))
        finally:  # the advisory lock goes even when the informational row cannot be cleared
            if self._conn is not None:
                held, self._conn = self._conn, None
                try:
                    for name in self.trackers:
                        held.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key(name)})
                finally:
                    # Closing the real connection (not returning it to the pool) guarantees no lock outlives the run.
                    held.invalidate()
                    held.close()

    def check(self) -> None:
        """Raise `LockLost` unless the lock is still ours; called right before every write and alert.

        The renewer only notices a lost lease on its next tick, and an advisory lock vanishes silently with its
        connection, so a run that stalled (a suspended machine, a long database lock) must look before writing.
        """
        if self._postgres:
            try:
                assert self._conn is not None
                self._conn.execute(text("SELECT 1"))
            except Exception as exc:
                raise LockLost(self.trackers, "the lock's database connection is gone", self.store.display_url) from exc
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
            if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key(name)}).scalar():
                taken.append(name)
                continue
            for done in taken:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key(done)})
            conn.invalidate()
            conn.close()
            raise LockHeld(name, self._holder_of(name), self.store.display_url)
        self._conn = conn
        now = datetime.now(UTC)
        with self.store.engine.begin() as tx:
            # Informational only: the advisory lock is the authority; this row lets a refused run name us.
            self._write_rows(tx, now, expires=now + timedelta(days=3650))

    # -- SQLite --------------------------------------------------------------------------------------------

    def _acquire_lease(self) -> None:
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:  # BEGIN IMMEDIATE: nobody can slip in between read and write
            rows = conn.execute(select(t.run_locks).where(t.run_locks.c.tracker.in_(self.trackers))).all()
            for row in sorted(rows, key=lambda r: r.tracker):
                if row.expires_at > now and row.token != self.token:
                    raise LockHeld(
                        row.tracker, f"{row.holder}, lease until {_hms(row.expires_at)}", self.store.display_url
                    )
                if row.expires_at <= now:
                    log.warning(
                        "state.lock.expired-lease-taken-over", extra={"tracker": row.tracker, "holder": row.holder}
                    )
            self._write_rows(conn, now, expires=now + self.lease)
        self._renewer = threading.Thread(target=self._renew_loop, name="syncer-lease", daemon=True)
        self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            now = datetime.now(UTC)
            try:
                with self.store.engine.begin() as conn:
                    renewed = conn.execute(
                        update(t.run_locks).where(t.run_locks.c.token == self.token).values(expires_at=now + self.lease)
                    ).rowcount
            except Exception:  # a busy database must not kill the renewer; the next tick tries again
                log.exception("state.lock.renew-failed")
                continue
            if renewed < len(self.trackers):
                self.lost = True
                log.error("state.lock.lost", extra={"trackers": list(self.trackers)})

    # -- shared --------------------------------------------------------------------------------------------

    def _write_rows(self, conn: Connection, now: datetime, *, expires: datetime) -> None:
        conn.execute(delete(t.run_locks).where(t.run_locks.c.tracker.in_(self.trackers)))
        conn.execute(
            insert(t.run_locks),
            [
                {
                    "tracker": name,
                    "holder": self.holder.describe(),
                    "token": self.token,
                    "acquired_at": now,
                    "expires_at": expires,
                }
                for name in self.trackers
            ],
        )

    def _holder_of(self, tracker: str) -> str:
        with self.store.engine.connect() as conn:
            found = conn.execute(select(t.run_locks.c.holder).where(t.run_locks.c.tracker == tracker)).scalar()
        return str(found) if found else "holder unknown"


def _hms(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def acquire(
    store: StateStore, trackers: Sequence[str], *, lease_seconds: float, holder: Holder | None = None
) -> RunLock:
    """Lock every named tracker or none; raise `LockHeld` naming the first one another run holds."""
    lock = RunLock(store, tuple(sorted(set(trackers))), holder or Holder.current(), timedelta(seconds=lease_seconds))
    return lock.acquire()
