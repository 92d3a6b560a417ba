"""Run lock in one process: per tracker, all-or-nothing, names the holder, and a dead holder stops blocking."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from syncer.state import StateStore
from syncer.state.holder import process_identity
from syncer.state.lock import Holder, LockHeld, LockLost, RunLock, acquire


@pytest.fixture
def store(state_url: str) -> Iterator[StateStore]:
    s = StateStore.open(state_url)
    yield s
    s.close()


OTHER = Holder("worker-7", 4242, datetime(2026, 11, 26, 8, 0, tzinfo=UTC))


def test_second_run_on_the_same_tracker_is_refused_naming_the_holder(store: StateStore) -> None:
    with acquire(store, ["jira"], lease_seconds=30, holder=OTHER):
        with pytest.raises(LockHeld) as caught:
            acquire(store, ["jira"], lease_seconds=30)
        assert caught.value.tracker == "jira"
        assert "pid 4242 on worker-7" in str(caught.value)
    with acquire(store, ["jira"], lease_seconds=30):
        pass


def test_different_trackers_run_side_by_side(store: StateStore) -> None:
    with acquire(store, ["jira"], lease_seconds=30), acquire(store, ["linear"], lease_seconds=30):
        pass


def test_unified_ranking_takes_all_locks_or_none(store: StateStore) -> None:
    with acquire(store, ["linear"], lease_seconds=30, holder=OTHER):
        with pytest.raises(LockHeld, match="'linear'"):
            acquire(store, ["jira", "linear"], lease_seconds=30)
        # The refused run left nothing behind: jira alone is free.
        with acquire(store, ["jira"], lease_seconds=30):
            pass


def test_a_holder_that_died_blocks_at_most_until_its_lease_ends(store: StateStore) -> None:
    # A holder on another host that stopped answering (a crashed or partitioned machine): its heartbeat stops,
    # and on PostgreSQL its connection stays open as far as the server knows (no FIN ever arrives). Only the
    # lease can end this. (Dropping the connection instead raced with the server's backend noticing it.)
    lock = acquire(store, ["jira"], lease_seconds=1.5, holder=OTHER)
    lock._stop.set()
    if lock._renewer is not None:
        lock._renewer.join()
    with pytest.raises(LockHeld, match="lease until"):
        acquire(store, ["jira"], lease_seconds=30)
    time.sleep(1.6)
    with acquire(store, ["jira"], lease_seconds=30), pytest.raises(LockLost):
        lock.check()  # the stalled holder finds out before its next write
    lock._conn = None


def _dead_process() -> tuple[int, str]:
    """The pid and identity of a process of this host that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    identity = process_identity(child.pid) or ""
    child.kill()
    child.wait()
    return child.pid, identity


def _crashed_holder(store: StateStore, holder: Holder) -> RunLock:
    """A lock whose holder dies: no heartbeat, no release; on PostgreSQL its backend still holds the lock."""
    lock = acquire(store, ["jira"], lease_seconds=300, holder=holder)
    lock._stop.set()
    if lock._renewer is not None:
        lock._renewer.join()
    return lock


def test_a_holder_that_died_on_this_host_is_taken_over_at_once(store: StateStore) -> None:
    pid, identity = _dead_process()
    dead = _crashed_holder(store, Holder(socket.gethostname(), pid, datetime.now(UTC), identity))

    with acquire(store, ["jira"], lease_seconds=30) as lock:  # its 300 s lease has not run out
        lock.check()
        with pytest.raises(LockLost):
            dead.check()
    dead._conn = None


def test_a_reused_pid_is_not_mistaken_for_the_holder(store: StateStore) -> None:
    # The holder's pid now belongs to another (younger) process: this test's own pid, with another start time.
    identity = process_identity(os.getpid()) or ""
    reused = identity.rpartition("/")[0] + "/1" if identity else ""
    if not reused:
        pytest.skip("no /proc: process start times cannot be read")
    dead = _crashed_holder(store, Holder(socket.gethostname(), os.getpid(), datetime.now(UTC), reused))
    with acquire(store, ["jira"], lease_seconds=30):
        pass
    dead._conn = None


def test_a_live_holder_on_this_host_keeps_its_lock(store: StateStore) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        holder = Holder(socket.gethostname(), child.pid, datetime.now(UTC), process_identity(child.pid) or "")
        taken = acquire(store, ["jira"], lease_seconds=30, holder=holder)
        with taken, pytest.raises(LockHeld, match=f"pid {child.pid} on "):
            acquire(store, ["jira"], lease_seconds=30)
    finally:
        child.kill()
        child.wait()


def test_lease_is_renewed_while_the_run_lasts(store: StateStore) -> None:
    with acquire(store, ["jira"], lease_seconds=1.2, holder=OTHER) as lock:
        time.sleep(2.0)
        with pytest.raises(LockHeld):
            acquire(store, ["jira"], lease_seconds=30)
        assert not lock.lost


def test_a_tracker_named_migrate_does_not_block_other_workers_from_starting(pg_url: str) -> None:
    # The schema-migration lock and the run locks share PostgreSQL's advisory-lock key space; a tracker whose
    # name is the migration lock's would make every other worker's start-up wait for that tracker's run.
    store = StateStore.open(pg_url)
    try:
        with acquire(store, ["migrate"], lease_seconds=30):
            opened: list[StateStore] = []
            starter = threading.Thread(target=lambda: opened.append(StateStore.open(pg_url)), daemon=True)
            starter.start()
            starter.join(timeout=5)
            started = not starter.is_alive()
        starter.join(timeout=10)
        for other in opened:
            other.close()
        assert started, "opening the state store waited for the run holding tracker 'migrate'"
    finally:
        store.close()


def test_the_advisory_lock_is_released_even_when_clearing_the_holder_row_fails(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore.open(pg_url)
    try:
        lock = acquire(store, ["jira"], lease_seconds=30)

        def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("state database went away")

        monkeypatch.setattr("syncer.state.lock.delete", broken)
        with pytest.raises(RuntimeError):
            lock.release()
        monkeypatch.undo()
        # `lock` is still referenced: nothing but release() can have freed the advisory lock.
        with acquire(store, ["jira"], lease_seconds=30):
            pass
        assert lock._conn is None
    finally:
        store.close()


def test_a_run_that_lost_its_lock_finds_out_before_writing(store: StateStore) -> None:
    stalled = acquire(store, ["jira"], lease_seconds=1.0, holder=OTHER)
    stalled.check()  # still ours
    # The run stalls (a suspended machine): its renewer stops; on PostgreSQL the lock connection drops.
    stalled._stop.set()
    if stalled._renewer is not None:
        stalled._renewer.join()
    if stalled._conn is not None:
        stalled._conn.invalidate()
    time.sleep(1.1)
    with acquire(store, ["jira"], lease_seconds=30), pytest.raises(LockLost, match="stopped before writing"):
        stalled.check()  # the next run took over
    stalled._conn = None


def test_the_pipeline_asks_before_every_write_and_writes_nothing_when_refused(write_config, backlog_path) -> None:
    from syncer.pipeline import run_sync
    from syncer.settings import load_settings
    from syncer.state.lock import LockLost

    before = backlog_path.read_bytes()
    asked: list[str] = []

    def refuse() -> None:
        asked.append("write")
        raise LockLost(["local"], "its lease expired or was taken over", "sqlite:///x")

    with pytest.raises(LockLost):
        run_sync(load_settings(write_config(backlog=backlog_path)), before_write=refuse)
    assert asked == ["write"]
    assert backlog_path.read_bytes() == before
