"""Stopping a run cleanly on SIGTERM or SIGINT (what Kubernetes, systemd, `docker stop` and Ctrl-C send).

On the first signal nothing is cut mid-request:
- no new write starts: each writer asks `stopping()` before it begins an issue, and the pipeline stops between
  trackers (and while pulling);
- the writes in flight finish, each issue's whole sequence (comment, then fields and the property naming it);
- the job records the run as `interrupted`, releases its lock, and the process exits 130 (SIGINT) or 143
  (SIGTERM), the shell's 128 + signal number.

If writes are still in flight `GRACE_SECONDS` after the signal (a slow tracker, a long Retry-After), or when a
second signal arrives, the deadline does the same without them: the cleanup the job registered (record the run,
release the lock) runs on a timer thread and the process exits at once with the same code. A write cut off there
is one whose answer was lost; the next run finds it (see "How writes stay safe" in the README).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

GRACE_SECONDS = 20.0
"""Kubernetes sends SIGKILL 30 s after SIGTERM by default (terminationGracePeriodSeconds): stay well inside."""
GRACE_ENV = "SYNCER_SHUTDOWN_GRACE_SECONDS"
"""Overrides `GRACE_SECONDS` (a deployment with a longer termination grace, or a test of the deadline)."""
NOT_STARTED = "not written: the run was interrupted before this issue's write began; the next run writes it"


class Interrupted(Exception):
    """The run stopped on a signal. `report` is the partial `RunReport` when the pipeline got that far."""

    def __init__(self, signum: int, report: Any = None) -> None:
        self.signum = signum
        self.report = report
        super().__init__(f"interrupted by {signal.Signals(signum).name}")

    @property
    def code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


class _State:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self.lock = threading.Lock()
        self.cleanups: list[Callable[[], None]] = []
        self.timer: threading.Timer | None = None
        self.fired = False


_state = _State()


def stopping() -> bool:
    """True once a stop was requested: start no new write."""
    return _state.event.is_set()


def check() -> None:
    """Raise `Interrupted` once a stop was requested."""
    if _state.event.is_set() and _state.signum is not None:
        raise Interrupted(_state.signum)


def grace() -> float:
    raw = os.environ.get(GRACE_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else GRACE_SECONDS
    except ValueError:
        return GRACE_SECONDS


def request(signum: int) -> None:
    """Ask the run in progress to stop (what the signal handler does); a second request ends it at once."""
    with _state.lock:
        again = _state.event.is_set()
        if _state.signum is None:
            _state.signum = signum
        _state.event.set()
        active = bool(_state.cleanups)
        if active and (again or _state.timer is None):
            if _state.timer is not None:
                _state.timer.cancel()
            # Never run the cleanup in the signal handler itself: the main thread may hold the locks it needs.
            _state.timer = threading.Timer(0.0 if again else grace(), _deadline)
            _state.timer.daemon = True
            _state.timer.start()
    if active:
        wait = "now" if again else f"within {grace():g} s"
        _say(
            f"{signal.Signals(signum).name} received: starting no new writes; "
            f"the writes in flight finish or are abandoned {wait}"
        )


def _say(message: str) -> None:
    # os.write, not print or logging: this runs inside a signal handler, which may have interrupted the main
    # thread in the middle of a write to stderr (a buffered writer refuses a reentrant call).
    os.write(2, f"syncer: {message}\n".encode())


def _deadline() -> None:
    with _state.lock:
        if _state.fired or not _state.cleanups:
            return
        _state.fired = True
        cleanups = list(_state.cleanups)
        signum = _state.signum or signal.SIGTERM
    for cleanup in cleanups:
        try:
            cleanup()
        except Exception:  # the lock must still be released and the process must still end
            log.exception("shutdown.cleanup-failed")
    log.error("shutdown.abandoned signal=%s", signal.Signals(signum).name)
    _say(
        f"interrupted by {signal.Signals(signum).name}: writes still in flight were abandoned; the run is "
        "recorded as interrupted and its lock released; the next run finishes the work"
    )
    os._exit(128 + signum)


@contextmanager
def on_deadline(cleanup: Callable[[], None]) -> Iterator[None]:
    """While the block runs, a stop that outlasts the grace calls `cleanup` and ends the process."""
    with _state.lock:
        _state.cleanups.append(cleanup)
        pending = _state.event.is_set() and _state.timer is None
    if pending and _state.signum is not None:  # signalled just before the run registered: start the clock now
        request(_state.signum)
    try:
        yield
    finally:
        with _state.lock:
            _state.cleanups.remove(cleanup)
            if not _state.cleanups and _state.timer is not None:
                _state.timer.cancel()
                _state.timer = None


@contextmanager
def handle_signals() -> Iterator[None]:
    """SIGTERM and SIGINT request a stop while the block runs (main thread only); the old handlers come back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, _frame: FrameType | None) -> None:
        request(signum)

    previous = {s: signal.signal(s, handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def reset() -> None:
    """Forget a past stop request (tests; a process runs one job after a signal at most)."""
    global _state
    with _state.lock:
        if _state.timer is not None:
            _state.timer.cancel()
    _state = _State()
