"""`StateStore`: the worker's memory between runs (runs, score history, in-progress spans).

Alert episodes and deliveries live in `syncer.state.outbox`; the run lock in `syncer.state.lock`. All three
share one engine, opened (and migrated) by `StateStore.open`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, RowMapping, func, insert, select, update
from sqlalchemy.exc import DatabaseError, OperationalError

from syncer.state import schema as t
from syncer.state.engine import display_url, make_engine, namespace
from syncer.state.migrations import StateSchemaError, StateUnavailable, migrate

_T = TypeVar("_T")

HISTORY_DEPTH = 100
KEYS_PER_QUERY = 500
"""Issue keys per history query (bound parameters; old SQLite builds allow 999), and snapshots per recorded batch."""
"""Rows per issue read back for explanations: far more than a score changes between two comment edits."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One issue's computed state in one run, as recorded in the score history."""

    tracker: str
    key: str
    model: str
    score: float | None
    rank: int | None
    bucket: str | None
    inputs_hash: str
    inputs: Mapping[str, Any]
    status_category: str | None = None

    def same_as(self, other: Snapshot) -> bool:
        return (self.model, self.score, self.rank, self.bucket, self.inputs_hash, self.status_category) == (
            other.model,
            other.score,
            other.rank,
            other.bucket,
            other.inputs_hash,
            other.status_category,
        )


@dataclass(frozen=True, slots=True)
class HistoryRow:
    snapshot: Snapshot
    first_seen: datetime
    last_seen: datetime
    id: int


def _database_error(engine: Engine, exc: DatabaseError) -> StateSchemaError:
    """A driver error as one line naming the database (password masked) and what to do about it.

    An unreachable server is worth retrying (`StateUnavailable`, exit 3); a SQLite file that is not a database,
    is read-only or cannot be created is a configuration problem (exit 2) that no retry fixes.
    """
    # The driver's first line says what failed ("connection refused", "file is not a database").
    reason = str(exc.orig or exc).strip().splitlines()[0]
    where = display_url(engine.url)
    if engine.dialect.name == "sqlite":
        lowered = reason.casefold()
        if "locked" in lowered or "busy" in lowered:
            return StateUnavailable(f"the state database {where} stayed locked by another process: {reason}")
        if "not a database" in lowered or "malformed" in lowered:
            hint = "it is damaged or not a syncer state file; move it aside (a new one is created) or restore it"
        elif "readonly" in lowered or "read-only" in lowered:
            hint = "make the file and its folder writable for this user, or point [state] url elsewhere"
        else:
            hint = "check [state] url: the folder must exist and be writable"
        return StateSchemaError(f"cannot use the state database {where}: {reason}; {hint}")
    if isinstance(exc, OperationalError):
        return StateUnavailable(f"cannot use the state database {where}: {reason}")
    return StateSchemaError(f"cannot use the state database {where}: {reason}")


class StateStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.namespace = namespace(engine)

    @classmethod
    def open(cls, url: str, *, writable: bool = True) -> StateStore:
        """Connect and migrate (an older schema is upgraded; a newer one raises `StateSchemaError`).

        With `writable`, also prove a write commits, so a read-only file fails here, before any tracker write,
        instead of at the run lock or, worse, after the write-back when the run is recorded.
        """
        engine = make_engine(url)
        try:
            migrate(engine)
            if writable:
                with engine.begin() as conn:
                    conn.execute(update(t.schema_version).values(version=t.schema_version.c.version))
            return cls(engine)
        except DatabaseError as exc:
            engine.dispose()
            raise _database_error(engine, exc) from None
        except Exception:
            engine.dispose()
            raise

    @property
    def display_url(self) -> str:
        return display_url(self.engine.url)

    def close(self) -> None:
        self.engine.dispose()

    # -- runs --------------------------------------------------------------------------------------------

    def start_run(self, trackers: Sequence[str], *, dry_run: bool, holder: str, started: datetime) -> int:
        with self.engine.begin() as conn:
            row = conn.execute(
                insert(t.runs)
                .values(
                    started_at=started,
                    trackers=",".join(trackers),
                    dry_run=dry_run,
                    holder=holder,
                    outcome="running",
                    counts={},
                )
                .returning(t.runs.c.id)
            ).one()
        return int(row[0])

    def finish_run(
        self, run_id: int, *, finished: datetime, outcome: str, counts: Mapping[str, int], error: str | None
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id)
                .values(finished_at=finished, outcome=outcome, counts=dict(counts), error=error)
            )

    def mark_crashed(self, trackers: Sequence[str], now: datetime) -> int:
        """Close "running" rows left by runs that died holding these trackers; call only while holding their lock."""
        ours = set(trackers)
        with self.engine.begin() as conn:
            stale = [
                r.id
                for r in conn.execute(select(t.runs.c.id, t.runs.c.trackers).where(t.runs.c.outcome == "running"))
                if ours & set(r.trackers.split(","))
            ]
            if stale:
                conn.execute(
                    update(t.runs)
                    .where(t.runs.c.id.in_(stale))
                    .values(outcome="crashed", error=f"ended without recording an outcome; noticed {now.isoformat()}")
                )
        return len(stale)

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first, as plain dicts (for `syncer status`-style output and tests)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)).mappings().all()
        return [dict(r) for r in rows]

    # -- score history -----------------------------------------------------------------------------------

    def history(
        self,
        tracker: str,
        keys: Iterable[str] | None = None,
        *,
        depth: int = HISTORY_DEPTH,
        distinct: Callable[[Snapshot], Hashable] | None = None,
    ) -> dict[str, list[HistoryRow]]:
        """Recent history rows per issue key, newest first (at most `depth` each).

        With `distinct`, only the newest row and the first older one whose `distinct(...)` differs from the
        newest's are kept: all that "the newest row differing from now" can need, whatever now is (now differs
        from the newest, or equals it and so differs from that older one). Rows accumulate with every change,
        so at 50,000 issues the full depth would be millions of records held at once.
        """
        with self.engine.connect() as conn:
            if keys is None:
                return self._history(conn, tracker, None, depth, distinct)
            out: dict[str, list[HistoryRow]] = {}
            for chunk in _chunks(list(dict.fromkeys(keys)), KEYS_PER_QUERY):
                out.update(self._history(conn, tracker, chunk, depth, distinct))
            return out

    @staticmethod
    def _history(
        conn: Connection,
        tracker: str,
        keys: Sequence[str] | None,
        depth: int,
        distinct: Callable[[Snapshot], Hashable] | None,
    ) -> dict[str, list[HistoryRow]]:
        h = t.score_history
        where = [h.c.tracker == tracker]
        if keys is not None:
            # In the query, not after it: a caller asking for a few hundred keys must not read every issue's rows.
            where.append(h.c.issue_key.in_(keys))
        numbered = (
            select(h, func.row_number().over(partition_by=h.c.issue_key, order_by=h.c.id.desc()).label("n"))
            .where(*where)
            .subquery()
        )
        query = select(numbered).where(numbered.c.n <= depth).order_by(numbered.c.id.desc())
        out: dict[str, list[HistoryRow]] = defaultdict(list)
        for r in conn.execute(query).mappings():
            rows = out[r["issue_key"]]
            if distinct is not None and rows:
                if len(rows) > 1:
                    continue
                row = _history_row(r)
                if distinct(row.snapshot) != distinct(rows[0].snapshot):
                    rows.append(row)
                continue
            rows.append(_history_row(r))
        return dict(out)

    def record_history(self, run_id: int | None, snapshots: Iterable[Snapshot], at: datetime) -> int:
        """Append a row for every issue whose state changed; extend `last_seen` of the rest. Returns appended.

        One transaction for the whole run, taken a few hundred snapshots at a time: the caller may pass a
        generator, so that neither the snapshots nor their previous rows are all held at once (at 50,000 issues
        each was tens of MB).
        """
        appended = 0
        batch: list[Snapshot] = []
        with self.engine.begin() as conn:
            for snap in snapshots:
                batch.append(snap)
                if len(batch) >= KEYS_PER_QUERY:
                    appended += self._record(conn, run_id, batch, at)
                    batch = []
            if batch:
                appended += self._record(conn, run_id, batch, at)
        return appended

    def _record(self, conn: Connection, run_id: int | None, snapshots: Sequence[Snapshot], at: datetime) -> int:
        by_tracker: dict[str, list[Snapshot]] = defaultdict(list)
        for snap in snapshots:
            by_tracker[snap.tracker].append(snap)
        appended = 0
        for tracker, snaps in by_tracker.items():
            previous = self._history(conn, tracker, [s.key for s in snaps], 1, None)
            latest = {k: rows[0] for k, rows in previous.items()}
            fresh = [s for s in snaps if s.key not in latest or not latest[s.key].snapshot.same_as(s)]
            seen = [latest[s.key].id for s in snaps if s.key in latest and latest[s.key].snapshot.same_as(s)]
            if fresh:
                conn.execute(insert(t.score_history), [_history_values(run_id, s, at) for s in fresh])
            if seen:
                conn.execute(update(t.score_history).where(t.score_history.c.id.in_(seen)).values(last_seen=at))
            appended += len(fresh)
        return appended

    # -- in-progress spans (aging) -----------------------------------------------------------------------

    def open_spans(self, tracker: str) -> dict[str, datetime]:
        s = t.in_progress_spans
        query = select(s.c.issue_key, s.c.started_at).where(s.c.tracker == tracker, s.c.ended_at.is_(None))
        with self.engine.connect() as conn:
            return {r.issue_key: r.started_at for r in conn.execute(query)}

    def update_spans(
        self,
        tracker: str,
        *,
        started: Mapping[str, datetime],
        finished: Mapping[str, datetime],
        dropped: Iterable[str],
        at: datetime,
    ) -> None:
        """Open spans for items that entered progress; close those that finished or went back to the backlog."""
        s = t.in_progress_spans
        with self.engine.begin() as conn:
            if started:
                conn.execute(
                    insert(s), [{"tracker": tracker, "issue_key": k, "started_at": v} for k, v in started.items()]
                )
            for key, ended in finished.items():
                conn.execute(
                    update(s)
                    .where(s.c.tracker == tracker, s.c.issue_key == key, s.c.ended_at.is_(None))
                    .values(ended_at=ended, outcome="finished")
                )
            for key in dropped:
                conn.execute(
                    update(s)
                    .where(s.c.tracker == tracker, s.c.issue_key == key, s.c.ended_at.is_(None))
                    .values(ended_at=at, outcome="dropped")
                )

    def finished_spans(self, tracker: str, *, since: datetime) -> list[tuple[str, datetime, datetime]]:
        """(issue key, started, finished) of each item that left progress as finished since `since`."""
        s = t.in_progress_spans
        query = select(s.c.issue_key, s.c.started_at, s.c.ended_at).where(
            s.c.tracker == tracker, s.c.outcome == "finished", s.c.ended_at >= since
        )
        with self.engine.connect() as conn:
            return [(r.issue_key, r.started_at, r.ended_at) for r in conn.execute(query)]

    def finished_days(self, tracker: str, *, since: datetime) -> list[float]:
        """Days each item finished since `since` spent in progress."""
        s = t.in_progress_spans
        query = select(s.c.started_at, s.c.ended_at).where(
            s.c.tracker == tracker, s.c.outcome == "finished", s.c.ended_at >= since
        )
        with self.engine.connect() as conn:
            return [max(timedelta(0), r.ended_at - r.started_at).total_seconds() / 86400 for r in conn.execute(query)]


def _history_values(run_id: int | None, s: Snapshot, at: datetime) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "tracker": s.tracker,
        "issue_key": s.key,
        "model": s.model,
        "score": s.score,
        "rank": s.rank,
        "bucket": s.bucket,
        "inputs_hash": s.inputs_hash,
        "inputs": dict(s.inputs),
        "status_category": s.status_category,
        "first_seen": at,
        "last_seen": at,
    }


def _history_row(r: RowMapping) -> HistoryRow:
    snap = Snapshot(
        tracker=r["tracker"],
        key=r["issue_key"],
        model=r["model"],
        score=r["score"],
        rank=r["rank"],
        bucket=r["bucket"],
        inputs_hash=r["inputs_hash"],
        inputs=r["inputs"],
        status_category=r["status_category"],
    )
    # Row mappings from a subquery carry plain column names; UTCDateTime already made them aware.
    return HistoryRow(snap, r["first_seen"], r["last_seen"], int(r["id"]))


def _chunks(values: Sequence[_T], size: int) -> Iterable[Sequence[_T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
