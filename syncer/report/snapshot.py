"""The report's memory between runs: what each tracker's section needs, from its last successful run.

One JSON file next to the report (`report-data.json`), replaced atomically and merged per tracker, so that
- a tracker that could not be synced keeps its last good section, marked with when it was synced;
- `syncer report` rebuilds the report from the last run's results without calling the trackers;
- "stale" counts people's activity only: per issue, when syncer last wrote to it and the last activity before.

A file that cannot be read (damaged, written by a newer syncer) is ignored with a warning: the next successful
run writes a new one. Nothing in it is a secret: it holds what the report shows.

Each tracker's issues and results (about 1 KB per issue) live in a JSON Lines file of their own beside it,
written line by line and named in `report-data.json`: a run whose trackers all synced never reads them (only
`syncer report` and a failed tracker's last good section do), so at 50,000 issues neither the save nor the next
run's load holds the whole backlog as one document and a second set of records (version 1 kept them inline and
cost about 4 KB per issue at the report's peak). The JSON file is replaced only after its rows files are
complete, and rows files it no longer names are removed, under the same lock.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from syncer.models import CompletedIssue, ScoreResult, TrackerIssue, WipBreach
from syncer.pipeline import TrackerRun
from syncer.report.content import select_movers

log = logging.getLogger(__name__)

FILE = "report-data.json"
VERSION = 2
READABLE = (1, 2)
"""Version 1 kept issues and results inline; it is still read (once: the next save writes version 2)."""
ROWS_PREFIX = "report-data."
ROWS_SUFFIX = ".jsonl"

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
    rows_file: str | None = None
    """The JSON Lines file (in the report folder) holding `issues` and `results` when they are not inline."""
    completed: list[CompletedIssue] | None = None
    """The issues completed in the flow window as that run read them (a few hundred small records, so kept
    inline); None when it did not read them. `syncer report` computes the flow section from these."""

    def run(self, folder: Path) -> TrackerRun:
        """The run as stored, its issues and results read from `folder` when they are not inline."""
        issues, results = (self.issues, self.results) if self.rows_file is None else self._read_rows(folder)
        return TrackerRun(
            name=self.name,
            kind=self.kind,
            issues=list(issues),
            results={r.ref: r for r in results},
            breaches=list(self.breaches),
            completed=None if self.completed is None else list(self.completed),
        )

    def _read_rows(self, folder: Path) -> tuple[list[TrackerIssue], list[ScoreResult]]:
        issues: list[TrackerIssue] = []
        results: list[ScoreResult] = []
        with (folder / str(self.rows_file)).open("rb") as lines:
            for line in lines:
                row = _ROW.validate_json(line)
                issues.append(row.issue)
                if row.result is not None:
                    results.append(row.result)
        return issues, results


@dataclass
class _Row:
    """One line of a rows file: an issue and its result (None when it was not scored: done issues)."""

    issue: TrackerIssue
    result: ScoreResult | None = None


_ROW = TypeAdapter(_Row)


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
    if data.version not in READABLE:
        log.warning("report.snapshot-version path=%s version=%s", where, data.version)
        return {}
    for snap in data.trackers.values():
        if snap.rows_file is not None and not (folder / snap.rows_file).is_file():
            log.warning("report.snapshot-rows-missing path=%s tracker=%s", folder / snap.rows_file, snap.name)
            snap.rows_file = None  # its section shows no issues rather than failing the run
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


def _write_rows(folder: Path, snap: TrackerSnapshot) -> str:
    """The tracker's issues and results as a new JSON Lines file, one issue per line; returns its name."""
    digest = hashlib.sha256(snap.name.encode("utf-8")).hexdigest()[:12]
    name = f"{ROWS_PREFIX}{digest}.{time.time_ns()}.{os.getpid()}{ROWS_SUFFIX}"
    results = {r.ref: r for r in snap.results}
    tmp = folder / f".{name}.tmp"
    try:
        with tmp.open("wb") as out:
            for issue in snap.issues:
                out.write(_ROW.dump_json(_Row(issue, results.get(issue.ref))) + b"\n")
        tmp.replace(folder / name)
    finally:
        tmp.unlink(missing_ok=True)
    return name


def save(folder: Path, snapshots: Mapping[str, TrackerSnapshot]) -> None:
    """Replace the file atomically: a failed write leaves the previous one (and the rows files it names).

    Snapshots with their issues in memory (this run's) get a new rows file; those loaded from the file keep
    theirs. Rows files no longer named are removed afterwards.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = path(folder)
    tmp = target.with_name(f".{FILE}.{os.getpid()}.tmp")
    stored: dict[str, TrackerSnapshot] = {}
    written: list[str] = []
    try:
        for name, snap in snapshots.items():
            rows = snap.rows_file
            if rows is None:
                rows = _write_rows(folder, snap)
                written.append(rows)
            stored[name] = dataclasses.replace(snap, issues=[], results=[], rows_file=rows)
        tmp.write_bytes(_ADAPTER.dump_json(_File(VERSION, stored)))
        tmp.replace(target)
        written.clear()  # named by the file now
    finally:
        tmp.unlink(missing_ok=True)
        for name in written:
            (folder / name).unlink(missing_ok=True)
    kept = {s.rows_file for s in stored.values()}
    for old in folder.glob(f"{ROWS_PREFIX}*{ROWS_SUFFIX}"):
        if old.name not in kept:
            old.unlink(missing_ok=True)


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
    human: dict[str, datetime] | None = None,
) -> TrackerSnapshot:
    """This tracker's snapshot after a successful (not dry) run that finished at `synced`; `human`: the run's
    `activity`, when the caller has it already (one entry per issue: not worth building twice)."""
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
        human=human if human is not None else activity(run, previous),
        written=written,
        moved=_kept_moves(run, moved),
        completed=None if run.completed is None else list(run.completed),
    )


def _kept_moves(run: TrackerRun, moved: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Only the moves the report's movers list shows (`select_movers` picks the same ones again from these):
    with rank churn, nearly every issue moves, and all of them were stored and read back at every run."""
    mine = [m for m in moved if m.get("tracker") == run.name]
    keys = {str(m.get("key")) for m in mine}
    chosen = {(m.tracker, m.key) for m in select_movers(mine, {i.ref: i for i in run.issues if i.key in keys})}
    return [dict(m) for m in mine if (m.get("tracker"), m.get("key")) in chosen]
