"""Who holds a run lock, and whether that process still exists.

A holder is recorded with its host name, pid and, on Linux, a process identity: the boot id, the pid namespace
and the process's start time (field 22 of /proc/<pid>/stat, in clock ticks since boot). A pid alone is not
enough: pids are reused, and two containers sharing a host name (host networking) each have their own pid space.
So a recorded holder is judged dead only when it is provably this machine's process: same host name, same boot,
same pid namespace, and its pid is gone or now belongs to a process that started at another time. Anything else
(another host, another container, no /proc) cannot be judged from here, and the lease decides.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Holder:
    host: str
    pid: int
    started: datetime
    process: str = ""
    """"<boot id>/<pid namespace>/<start ticks>" on Linux, "" where that cannot be read."""

    @classmethod
    def current(cls) -> Holder:
        pid = os.getpid()
        return cls(socket.gethostname(), pid, datetime.now(UTC), process_identity(pid) or "")

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started.isoformat(timespec='seconds')}"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None


def _machine() -> str | None:
    """This boot of this kernel and this pid namespace: the space in which a pid names one process."""
    boot = _read(PROC / "sys/kernel/random/boot_id")
    try:
        space = os.readlink(PROC / "self/ns/pid")
    except OSError:
        return None
    return f"{boot}/{space}" if boot else None


def _start_ticks(pid: int) -> str | None:
    stat = _read(PROC / str(pid) / "stat")
    if stat is None:
        return None
    # The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
    after = stat[stat.rfind(")") + 2 :].split()
    return after[19] if len(after) > 19 else None  # field 22; `after` starts at field 3


def process_identity(pid: int) -> str | None:
    """The identity of process `pid` on this machine, or None if there is no such process (or no /proc)."""
    machine, ticks = _machine(), _start_ticks(pid)
    if machine is None or ticks is None:
        return None
    return f"{machine}/{ticks}"


def dead_here(host: str | None, pid: int | None, process: str | None) -> bool:
    """True only when the recorded holder is provably a process of this machine that no longer exists."""
    if not host or pid is None or host != socket.gethostname():
        return False
    machine = _machine()
    if process and machine is not None:
        recorded_machine, _, _ticks = process.rpartition("/")
        if recorded_machine != machine:
            return False  # another boot or another container with the same host name: cannot tell from here
        return process_identity(pid) != process  # gone, or the pid now names a younger process
    if process or machine is not None:
        return False  # recorded with /proc and read without (or the reverse): not comparable
    try:
        os.kill(pid, 0)  # no /proc (macOS, BSD): existence is all that can be checked
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # exists, owned by someone else
    return False
