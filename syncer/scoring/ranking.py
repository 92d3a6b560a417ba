"""Ranking scored issues and sorting them into Now/Next/Later buckets and MoSCoW categories."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TypeVar

from syncer.models import IssueRef, ScoreResult, natural_key
from syncer.settings.scoring import Buckets, MoSCoW, ScoringSettings

T = TypeVar("T")

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


def ranked_indices(primary: Sequence[tuple[float, float]], refs: Sequence[IssueRef]) -> list[int]:
    """Positions in rank order: lower `primary` first, ties by key in natural order, then tracker.

    Natural keys are built only for entries that tie on `primary`; building one per entry made the sort keys
    a quarter of the peak memory when ranking 100,000 issues.

    Args:
        primary: Per entry (-score, tiebreak), the tiebreak 0.0 when the model has none.
        refs: Per entry, the issue.

    Returns:
        The indices into `primary` and `refs`, best first.
    """
    order = sorted(range(len(primary)), key=primary.__getitem__)
    keys = [primary[i] for i in order]
    # Each tied run [start, end) is re-sorted by name; runs are found with one C-level pass over neighbours.
    tied = [i for i, (a, b) in enumerate(pairwise(keys), start=1) if a == b]
    start = end = -1
    for i in tied:
        if i != end:
            if end > start:
                order[start:end] = sorted(order[start:end], key=lambda j: _name_key(refs[j]))
            start = i - 1
        end = i + 1
    if end > start:
        order[start:end] = sorted(order[start:end], key=lambda j: _name_key(refs[j]))
    return order


def in_rank_order(entries: Sequence[T], facts: Callable[[T], Facts]) -> list[T]:
    """Entries sorted for ranking: higher score, then lower tiebreak, then key in natural order, then tracker.

    Args:
        entries: Anything carrying a score; `facts` extracts what the ordering needs.
        facts: entry -> (score, tiebreak, ref).

    Returns:
        A new list, best first.
    """
    known = [facts(entry) for entry in entries]
    primary = [(-score, 0.0 if tiebreak is None else tiebreak) for score, tiebreak, _ in known]
    return [entries[i] for i in ranked_indices(primary, [ref for _, _, ref in known])]


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
