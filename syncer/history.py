"""Explain the change: what moved for an issue, from the score history in the state store.

The comment line compares the issue with the most recent history entry whose score, inputs or model *differ*
from now (the previous distinct value), not with the last run. That keeps the comment deterministic: a rerun
over an unchanged issue renders the same text, so nothing is rewritten, and the explanation stays on the issue
until its score moves again. The run report, by contrast, says what moved since the last run.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from syncer.escape import VALUE_MAX, one_line
from syncer.models import IssueRef, ScoreResult, TrackerIssue, natural_key
from syncer.scoring.ranking import BUCKETS
from syncer.state import HistoryRow, Snapshot

MAX_INPUTS_LISTED = 6
SUMMARY_MOVES = 50
"""The biggest moves the run's `--json` summary lists."""
MOVERS_EACH_WAY = 10
"""Biggest risers and biggest fallers the report lists; bucket changes come on top of those (up to this many more)."""


def inputs_hash(inputs: Mapping[str, Any]) -> str:
    canonical = json.dumps(dict(inputs), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _storable(value: Any) -> Any:
    """NaN and infinities as text ("nan", "inf"): PostgreSQL's json type rejects them as numbers."""
    return str(value) if isinstance(value, float) and not math.isfinite(value) else value


def snapshot(issue: TrackerIssue, result: ScoreResult, *, model: str) -> Snapshot:
    inputs = dict(issue.inputs)
    return Snapshot(
        tracker=issue.tracker,
        key=issue.key,
        model=result.breakdown.model if result.breakdown else model,
        score=result.score,
        rank=result.rank,
        bucket=result.bucket,
        inputs_hash=inputs_hash(inputs),
        inputs={k: _storable(v) for k, v in inputs.items()},
        status_category=str(issue.status_category),
    )


def fmt(value: Any) -> str:
    """Numbers as people read them (rounded for text only; the history keeps them exact)."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    # An input is whatever someone typed: one clean line, clipped, so it cannot add lines to the comment.
    return one_line(value, VALUE_MAX)


def _score(value: float | None) -> str:
    return "needs input" if value is None else fmt(value)


def significant(s: Snapshot) -> tuple[Any, ...]:
    """What makes a history row a different state for the comment's explanation."""
    return (s.model, s.score, s.inputs_hash)


def previous_distinct(current: Snapshot, rows: Sequence[HistoryRow]) -> HistoryRow | None:
    """The newest row (rows are newest first) whose score, inputs or model differ from `current`."""
    for row in rows:
        if significant(row.snapshot) != significant(current):
            return row
    return None


def explain(current: Snapshot, rows: Sequence[HistoryRow]) -> tuple[str, ...]:
    """One line such as "Score 12 -> 30 since 2026-11-20: reach 200 -> 500", or nothing without history."""
    prev = previous_distinct(current, rows)
    if prev is None:
        return ()
    before = prev.snapshot
    since = prev.last_seen.date().isoformat()
    details = cause(before, current)
    if before.score != current.score:
        head = f"Score {_score(before.score)} -> {_score(current.score)} since {since}"
    else:
        head = f"Score unchanged ({_score(current.score)}) since {since}"
    return (head + (": " + details if details else ""),)


def comment_lines(
    issues: Sequence[TrackerIssue],
    results: Mapping[IssueRef, ScoreResult],
    history: Mapping[str, Sequence[HistoryRow]],
    *,
    model: str,
) -> dict[IssueRef, tuple[str, ...]]:
    """`comment_extra` for `plan_writeback`: the explanation line per issue that has one."""
    out: dict[IssueRef, tuple[str, ...]] = {}
    for issue in issues:
        result = results.get(issue.ref)
        if result is None:
            continue
        lines = explain(snapshot(issue, result, model=model), history.get(issue.key, ()))
        if lines:
            out[result.ref] = lines  # the result's ref: `issue.ref` makes a new one, held to the run's end
    return out


def cause(before: Snapshot, now: Snapshot) -> str:
    """The inputs that changed between two snapshots ("effort 0.5 -> 8"); "" when none of the issue's own did
    (it moved because other issues did, or one was done)."""
    details: list[str] = []
    if before.model != now.model:
        details.append(f"model {before.model.upper()} -> {now.model.upper()}")
    changed = [k for k in sorted(set(before.inputs) | set(now.inputs)) if before.inputs.get(k) != now.inputs.get(k)]
    details.extend(f"{k} {fmt(before.inputs.get(k))} -> {fmt(now.inputs.get(k))}" for k in changed[:MAX_INPUTS_LISTED])
    if len(changed) > MAX_INPUTS_LISTED:
        details.append(f"and {len(changed) - MAX_INPUTS_LISTED} more")
    return ", ".join(details)


def moves(snapshots: Iterable[Snapshot], history: Mapping[str, Sequence[HistoryRow]]) -> list[dict[str, Any]]:
    """What moved since the last run (score, rank or bucket) over the whole ranking, with the inputs that caused
    it; biggest rank jumps first."""
    out: list[dict[str, Any]] = []
    for snap in snapshots:
        rows = history.get(snap.key)
        if not rows:
            continue
        last = rows[0].snapshot
        if last.score == snap.score and last.rank == snap.rank and last.bucket == snap.bucket:
            continue
        out.append(
            {
                "tracker": snap.tracker,
                "key": snap.key,
                "score_from": last.score,
                "score_to": snap.score,
                "rank_from": last.rank,
                "rank_to": snap.rank,
                "bucket_from": last.bucket,
                "bucket_to": snap.bucket,
                "cause": cause(last, snap),
            }
        )
    return sorted_moves(out)


def sorted_moves(found: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Moves biggest rank jump first (ties by key), as `moves` returns them: for moves found a slice at a time."""
    return sorted(found, key=lambda m: (-abs((m["rank_from"] or 0) - (m["rank_to"] or 0)), m["key"]))


Move = Mapping[str, Any]


def move_delta(move: Move) -> int:
    """Places gained (positive) or lost (negative); 0 when the issue entered or left the ranking."""
    before, after = move.get("rank_from"), move.get("rank_to")
    return int(before) - int(after) if before and after else 0


_BUCKET_ORDER = {b: i for i, b in enumerate(BUCKETS)}


def _by_bucket(move: Move) -> tuple[int, int, tuple[tuple[int, int | str], ...]]:
    # Into or out of Now first, then Next; among those, the higher new rank first.
    last = len(_BUCKET_ORDER)
    closest = min(
        _BUCKET_ORDER.get(move.get("bucket_from") or "", last), _BUCKET_ORDER.get(move.get("bucket_to") or "", last)
    )
    return (closest, move.get("rank_to") or 1 << 30, natural_key(str(move.get("key"))))


def _by_size(move: Move) -> tuple[int, int, tuple[tuple[int, int | str], ...]]:
    return (-abs(move_delta(move)), move.get("rank_to") or 1 << 30, natural_key(str(move.get("key"))))


def mover_picks(moved: Iterable[Move], each_way: int = MOVERS_EACH_WAY) -> tuple[list[Move], list[Move], list[Move]]:
    """The report's movers before they are merged: bucket changes, biggest rises, biggest falls (`each_way` each)."""
    moves = list(moved)
    buckets = sorted((m for m in moves if m.get("bucket_from") != m.get("bucket_to")), key=_by_bucket)[:each_way]
    rises = sorted((m for m in moves if move_delta(m) > 0), key=_by_size)[:each_way]
    falls = sorted((m for m in moves if move_delta(m) < 0), key=_by_size)[:each_way]
    return buckets, rises, falls


def kept_moves(moved: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The moves anyone reads, biggest jump first: the run summary's `SUMMARY_MOVES` and the report's movers
    (`mover_picks`). With rank churn nearly every issue moves, and a dict per issue (about 450 bytes) was held
    from planning to the report's end. Exact when applied slice by slice to what it kept plus a new slice."""
    moves = sorted_moves(moved)
    picked = {id(m) for group in mover_picks(moves) for m in group}
    return [m for i, m in enumerate(moves) if i < SUMMARY_MOVES or id(m) in picked]
