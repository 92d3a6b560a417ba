"""Ranking scored issues and sorting them into Now/Next/Later buckets and MoSCoW categories."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from syncer.models import IssueRef, ScoreResult, natural_key
from syncer.settings.scoring import Buckets, MoSCoW, ScoringSettings

T = TypeVar("T")
Ints = npt.NDArray[np.int64]

BUCKETS = ("Now", "Next", "Later")
"""Bucket names by rank share, best first."""

MOSCOW = ("Must", "Should", "Could", "Won't")
"""MoSCoW categories by score threshold, best first."""


def _round_half_up(x: float) -> int:
    # Python's round() rounds halves to even (round(2.5) == 2), which would make 5 issues x 0.5 give 2 Now
    # items but 7 x 0.5 give 4; half-up is the rule people expect. The epsilon absorbs binary noise (0.3 * 5).
    return math.floor(x + 0.5 + 1e-9)


def bucket_sizes(n: int, shares: Buckets) -> tuple[int, int]:
    """How many of `n` ranked issues are Now and how many are Next; the rest are Later.

    Now is the first `round(n * now)` ranks, but at least 1 when `now > 0` and `n > 0`, so a short backlog
    always has something to do now. Next is the following `round(n * next)` ranks (never more than remain).
    Halves round up.

    Args:
        n: Number of scored issues.
        shares: The configured `now` and `next` shares.

    Returns:
        (now_count, next_count).
    """
    now = _round_half_up(n * shares.now)
    if shares.now > 0 and n > 0:
        now = max(now, 1)
    now = min(now, n)
    return now, min(_round_half_up(n * shares.next), n - now)


def moscow_category(score: float, thresholds: MoSCoW) -> str:
    """The MoSCoW category of a score: >= must -> Must, >= should -> Should, >= could -> Could, else Won't."""
    if score >= thresholds.must:
        return MOSCOW[0]
    if score >= thresholds.should:
        return MOSCOW[1]
    if score >= thresholds.could:
        return MOSCOW[2]
    return MOSCOW[3]


Facts = tuple[float, float | None, IssueRef]
"""What ranking needs from an entry: score, tiebreak (lower wins a tie; None if the model has none) and ref."""


_ASCII_DIGITS = "0123456789"
_HAS_DIGIT = re.compile(r"\d").search


def _name_key(ref: IssueRef) -> tuple[tuple[tuple[int, int | str], ...], str]:
    key = ref.key
    head = key.rstrip(_ASCII_DIGITS)
    # The usual "PROJ-123": what `natural_key` returns, without its regex split and generator.
    if head and len(head) < len(key) and _HAS_DIGIT(head) is None:
        return ((1, head), (0, int(key[len(head) :]))), ref.tracker
    return natural_key(key), ref.tracker


def _name_codes(refs: Sequence[IssueRef]) -> tuple[Ints, Ints, Ints] | None:
    """Integers that order `refs` as `_name_key` does, when every key is the usual "PROJ-123"; else None.

    (head, number, tracker) order equals `_name_key` order for such keys: their natural keys all read
    ((1, head), (0, number)). The heads and trackers become their positions in sorted order.
    """
    keys = [ref.key for ref in refs]
    heads = [key.rstrip(_ASCII_DIGITS) for key in keys]
    distinct = sorted(set(heads))
    if not distinct or not distinct[0] or any(_HAS_DIGIT(head) for head in distinct):
        return None
    try:  # int("") (a key with no trailing digits) raises ValueError; a number beyond int64, OverflowError
        numbers = np.array([int(key[len(head) :]) for key, head in zip(keys, heads, strict=True)], dtype=np.int64)
    except (ValueError, OverflowError):
        return None
    head_code = {head: i for i, head in enumerate(distinct)}
    trackers = [ref.tracker for ref in refs]
    tracker_code = {tracker: i for i, tracker in enumerate(sorted(set(trackers)))}
    return (
        np.array([head_code[head] for head in heads], dtype=np.int64),
        numbers,
        np.array([tracker_code[tracker] for tracker in trackers], dtype=np.int64),
    )


def ranked_indices(scores: Sequence[float], tiebreaks: Sequence[float] | None, refs: Sequence[IssueRef]) -> list[int]:
    """Positions in rank order: higher score first, then lower tiebreak, then key in natural order, then tracker.

    The numbers are sorted in numpy (a stable lexsort: ties keep the given order, as `sorted` would). Only the
    entries that tie on both numbers need their keys: encoded as integers and re-sorted in numpy when every
    such key is the usual "PROJ-123", else each tied run is re-sorted by `_name_key` in Python.

    Args:
        scores: Per entry, its (finite) score.
        tiebreaks: Per entry, the value whose lower wins a tie in score; None when the model has none.
        refs: Per entry, the issue.

    Returns:
        The indices into the three sequences, best first.
    """
    negated = -np.asarray(scores, dtype=np.float64)
    if tiebreaks is None:
        order = np.argsort(negated, kind="stable")
        first = negated[order]
        same = first[1:] == first[:-1]
    else:
        second_key = np.asarray(tiebreaks, dtype=np.float64)
        order = np.lexsort((second_key, negated))
        first, second = negated[order], second_key[order]
        same = (first[1:] == first[:-1]) & (second[1:] == second[:-1])
    if not same.any():
        return order.tolist()  # type: ignore[no-any-return]
    # The positions (in sorted order) of entries that tie with a neighbour, and which run of ties each is in.
    in_run = np.zeros(len(order), dtype=bool)
    in_run[1:] = same
    in_run[:-1] |= same
    positions = np.flatnonzero(in_run)
    starts = np.ones(len(positions), dtype=bool)
    starts[1:] = ~same[positions[1:] - 1]
    members = order[positions]
    codes = _name_codes([refs[j] for j in members.tolist()])
    if codes is not None:
        head, number, tracker = codes
        order[positions] = members[np.lexsort((tracker, number, head, np.cumsum(starts)))]
        return order.tolist()  # type: ignore[no-any-return]
    ranked: list[int] = order.tolist()
    bounds = [*np.flatnonzero(starts).tolist(), len(positions)]
    for run_start, run_end in pairwise(bounds):
        begin, end = int(positions[run_start]), int(positions[run_end - 1]) + 1
        ranked[begin:end] = sorted(ranked[begin:end], key=lambda j: _name_key(refs[j]))
    return ranked


def in_rank_order(entries: Sequence[T], facts: Callable[[T], Facts]) -> list[T]:
    """Entries sorted for ranking: higher score, then lower tiebreak, then key in natural order, then tracker.

    Args:
        entries: Anything carrying a score; `facts` extracts what the ordering needs.
        facts: entry -> (score, tiebreak, ref).

    Returns:
        A new list, best first.
    """
    known = [facts(entry) for entry in entries]
    tiebreaks = [0.0 if tiebreak is None else tiebreak for _, tiebreak, _ in known]
    order = ranked_indices([score for score, _, _ in known], tiebreaks, [ref for _, _, ref in known])
    return [entries[i] for i in order]


Placer = Callable[[int, float], tuple[str, str | None]]


def placer(n: int, settings: ScoringSettings) -> Placer:
    """The bucket and MoSCoW category for each rank of an `n`-issue ranking.

    Args:
        n: Number of scored issues.
        settings: The `[scoring]` section (bucket shares, MoSCoW thresholds and style).

    Returns:
        A function of (rank, score) -> (bucket, moscow). The bucket is Now/Next/Later by rank share (see
        `bucket_sizes`), or the MoSCoW category when `bucket_style` is "moscow"; moscow is None unless
        `settings.moscow` is set.
    """
    now, nxt = bucket_sizes(n, settings.buckets)
    thresholds = settings.moscow
    by_moscow = settings.bucket_style == "moscow"

    def place(position: int, score: float) -> tuple[str, str | None]:
        moscow = moscow_category(score, thresholds) if thresholds is not None else None
        if by_moscow and moscow is not None:
            return moscow, moscow
        bucket = BUCKETS[0] if position <= now else BUCKETS[1] if position <= now + nxt else BUCKETS[2]
        return bucket, moscow

    return place


def placed(result: ScoreResult, rank: int | None, bucket: str | None, moscow: str | None) -> ScoreResult:
    """`dataclasses.replace(result, rank=..., bucket=..., moscow=...)`, about three times faster.

    `replace` inspects the dataclass fields on every call, which dominated ranking 100,000 issues; the test
    suite checks this stays equivalent if `ScoreResult` gains a field.
    """
    return ScoreResult(
        ref=result.ref,
        status=result.status,
        score=result.score,
        breakdown=result.breakdown,
        problems=result.problems,
        rank=rank,
        bucket=bucket,
        moscow=moscow,
        tiebreak=result.tiebreak,
    )


def _rankable(result: ScoreResult) -> bool:
    return result.scored and result.score is not None


def _facts(result: ScoreResult) -> Facts:
    return (result.score or 0.0, result.tiebreak, result.ref)


def rank(results: Sequence[ScoreResult], settings: ScoringSettings) -> list[ScoreResult]:
    """Rank, bucket and categorise results; all given results form one ranking.

    Scored results are ordered by `in_rank_order`: score (highest first), then lower tiebreak (effort or job
    size), then key in natural order (ACME-9 before ACME-10), then tracker name. They get ranks 1..n in that
    order, and a bucket and MoSCoW category from `placer`.

    Args:
        results: Unranked (or previously ranked) results, e.g. from `evaluate`.
        settings: The `[scoring]` section (bucket shares, MoSCoW thresholds and style).

    Returns:
        New results: the scored ones in rank order, then the others in their given order with rank, bucket
        and moscow cleared.
    """
    scored = in_rank_order([r for r in results if _rankable(r)], _facts)
    place = placer(len(scored), settings)
    ranked = [placed(r, i, *place(i, r.score or 0.0)) for i, r in enumerate(scored, start=1)]
    for result in results:
        if not _rankable(result):
            unranked = result.rank is None and result.bucket is None and result.moscow is None
            ranked.append(result if unranked else placed(result, None, None, None))
    return ranked
