"""The report's memory between runs: what each tracker's section needs, from its last successful run.

One JSON file next to the report (`report-data.json`), replaced atomically and merged per tracker, so that
- a tracker that could not be synced keeps its last good section, marked with when it was synced;
- `syncer report` rebuilds the report from the last run's results without calling the trackers;
- "stale" counts people's activity only: per issue, when syncer last wrote to it and the last activity before.

A file that cannot be read (damaged, written by a newer syncer) is ignored with a warning: the next successful
run writes a new one. Nothing in it is a secret: it holds what the report shows.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from syncer.models import ScoreResult, TrackerIssue, WipBreach
from syncer.pipeline import TrackerRun

log = logging.getLogger(__name__)

FILE = "report-data.json"
VERSION = 1

WRITE_SLACK = timedelta(minutes=2)
"""An issue updated no later than this after syncer's last write to it was updated by that write: the trackers'
clocks are not ours, and a tracker stamps `updated` while syncer's write is still in flight."""


@dataclass
class TrackerSnapshot:
    """One tracker's last successful run, as the report needs it."""

    name: str
    kind: str
    synced: datetime
    issues: list[TrackerIssue] = field(default_factory=list)
    results: list[ScoreResult] = field(default_factory=list)
    breaches: list[WipBreach] = field(default_factory=list)
    changes: dict[str, str] = field(default_factory=dict)
    """Issue key -> what moved since the run before (the comment's explanation)."""
    human: dict[str, datetime] = field(default_factory=dict)
    """Issue key -> the last activity by people (syncer's own field and comment writes left out)."""
    written: dict[str, datetime] = field(default_factory=dict)
    """Issue key -> when syncer last wrote to it (at the end of that run)."""
    moved: list[dict[str, Any]] = field(default_factory=list)
    """What moved in that run (`syncer.history.moves`), for the report's movers."""

    def run(self) -> TrackerRun:
        return TrackerRun(
            name=self.name,
            kind=self.kind,
            issues=list(self.issues),
            results={r.ref: r for r in self.results},
            breaches=list(self.breaches),
        )


@dataclass
class _File:
    version: int
    trackers: dict[str, TrackerSnapshot]


_ADAPTER = TypeAdapter(_File)


def path(folder: Path) -> Path:
    return folder / FILE


def load(folder: Path) -> dict[str, TrackerSnapshot]:
    """The stored snapshots by tracker name; {} when there are none or the file cannot be used."""
    where = path(folder)
    try:
        raw = where.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("report.snapshot-unreadable path=%s error=%s", where, exc)
        return {}
    try:
        data = _ADAPTER.validate_json(raw)
    except ValidationError as exc:
        log.warning("report.snapshot-invalid path=%s error=%s", where, str(exc).splitlines()[0])
        return {}
    if data.version != VERSION:
        log.warning("report.snapshot-version path=%s version=%s", where, data.version)
        return {}
    return data.trackers


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Serialise read-merge-write between runs of different trackers (`run --tracker a` beside `--tracker b`)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f".{FILE}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save(folder: Path, snapshots: Mapping[str, TrackerSnapshot]) -> None:
    """Replace the file atomically: a failed write leaves the previous one."""
    folder.mkdir(parents=True, exist_ok=True)
    target = path(folder)
    tmp = target.with_name(f".{FILE}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(_ADAPTER.dump_json(_File(VERSION, dict(snapshots))))
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def human_activity(issue: TrackerIssue, previous: TrackerSnapshot | None) -> datetime:
    """When people last touched the issue: its `updated`, unless that is syncer's own last write, in which case
    the last human activity known before that write."""
    if previous is None:
        return issue.updated
    written = previous.written.get(issue.key)
    before = previous.human.get(issue.key)
    if written is not None and before is not None and issue.updated <= written + WRITE_SLACK:
        return min(before, issue.updated)
    return issue.updated


def activity(run: TrackerRun, previous: TrackerSnapshot | None) -> dict[str, datetime]:
    return {i.key: human_activity(i, previous) for i in run.issues}


def take(
    run: TrackerRun,
    previous: TrackerSnapshot | None,
    *,
    synced: datetime,
    changes: Mapping[str, str],
    moved: Sequence[Mapping[str, Any]] = (),
) -> TrackerSnapshot:
    """This tracker's snapshot after a successful (not dry) run that finished at `synced`."""
    written = dict(previous.written) if previous else {}
    keys = {i.key for i in run.issues}
    written = {k: v for k, v in written.items() if k in keys}
    if run.plan is not None and run.applied is not None:
        # A failed write may still have changed a field or the comment: counting it as ours errs towards stale.
        for write in run.plan.writes:
            written[write.ref.key] = synced
    return TrackerSnapshot(
        name=run.name,
        kind=run.kind,
        synced=synced,
        issues=list(run.issues),
        results=list(run.results.values()),
        breaches=list(run.breaches),
        changes={k: v for k, v in changes.items() if k in keys},
        human=activity(run, previous),
        written=written,
        moved=[dict(m) for m in moved if m.get("tracker") == run.name],
    )
