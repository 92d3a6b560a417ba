"""The scoring engine: pure functions from raw issue inputs to scores, ranks and buckets (no I/O).

Models (`[scoring] model`):

- rice: reach x impact x confidence / effort (Intercom). Impact takes numbers or the words
  massive/high/medium/low/minimal (3/2/1/0.5/0.25); confidence is a percentage 0-100 ("80", "80%") or
  high/medium/low (100/80/50) and is used as a fraction; effort must be greater than 0.
- ice: impact, confidence, ease on 1-10; product (default) or average (`ice_mode = "average"`).
- wsjf: (business_value + time_criticality + risk_reduction) / job_size.
- weighted: sum(weight x value) / sum(weight) over `[[scoring.criteria]]`; an inverted criterion counts as
  max + min - value.

`[scoring.words]` adds word -> number mappings per input (matched case-insensitively), over the built-in ones.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from syncer.models import Breakdown, IssueRef, RawValue, ScoreResult, ScoreStatus, new_result
from syncer.scoring.engine import Scorer, assess_many, evaluate_with
from syncer.scoring.frameworks import framework_for
from syncer.scoring.ranking import (
    BUCKETS,
    MOSCOW,
    bucket_sizes,
    moscow_category,
    placer,
    rank,
    ranked_indices,
)
from syncer.settings.scoring import ScoringSettings

__all__ = [
    "BUCKETS",
    "MOSCOW",
    "Scorer",
    "bucket_sizes",
    "evaluate",
    "model_inputs",
    "moscow_category",
    "rank",
    "score_backlog",
]


def model_inputs(settings: ScoringSettings) -> tuple[str, ...]:
    """The logical input names the configured model reads, in formula order.

    Args:
        settings: The `[scoring]` section.

    Returns:
        e.g. ("reach", "impact", "confidence", "effort") for RICE, or the criteria names for weighted.
    """
    return framework_for(settings).inputs


def evaluate(ref: IssueRef, inputs: Mapping[str, RawValue], settings: ScoringSettings) -> ScoreResult:
    """Score one issue without ranking it; never raises, whatever the input values are.

    Args:
        ref: The issue.
        inputs: Logical input name -> raw value as the tracker holds it.
        settings: The `[scoring]` section.

    Returns:
        A `scored` result (score, breakdown, tiebreak) or a `needs_input` result with one problem per unusable
        input and no score. Breakdown values are the numbers as the formula uses them (RICE confidence as a
        fraction, inverted criteria inverted).
    """
    return evaluate_with(Scorer.from_settings(settings), ref, inputs)


def score_backlog(
    items: Sequence[tuple[IssueRef, Mapping[str, RawValue]]], settings: ScoringSettings
) -> list[ScoreResult]:
    """Evaluate and rank a backlog in one go.

    Args:
        items: (issue, inputs) pairs.
        settings: The `[scoring]` section.

    Returns:
        As `rank`: scored results in rank order, then needs_input results in the given order.
    """
    with _collector_paused():
        return _score_and_rank(items, settings)


def _score_and_rank(
    items: Sequence[tuple[IssueRef, Mapping[str, RawValue]]], settings: ScoringSettings
) -> list[ScoreResult]:
    # Same outcome as rank([evaluate(...) ...]), but each result is built once, already ranked. A separate
    # function so the intermediate lists are freed before the collector resumes and would scan them.
    batch, unscored = assess_many(Scorer.from_settings(settings), items)
    refs, scores, tiebreaks, scored = batch.refs, batch.scores, batch.tiebreaks, batch.scored
    order = [
        scored[j]
        for j in ranked_indices(
            [scores[i] for i in scored],
            None if tiebreaks is None else [tiebreaks[i] for i in scored],
            [refs[i] for i in scored],
        )
    ]
    deferred, model = Breakdown.deferred, batch.framework.name
    tiebreak_of = ([None] * len(refs) if tiebreaks is None else tiebreaks).__getitem__
    results: list[ScoreResult] = []
    if settings.moscow is None and settings.bucket_style != "moscow":
        # The common case: the bucket depends on the rank alone, so each stretch of ranks gets its name.
        now, nxt = bucket_sizes(len(order), settings.buckets)
        start = 0
        for bucket, stop in zip(BUCKETS, (now, now + nxt, len(order)), strict=True):
            results += [
                new_result(refs[i], SCORED, scores[i], deferred(model, batch, i), (), r, bucket, None, tiebreak_of(i))
                for r, i in enumerate(order[start:stop], start=start + 1)
            ]
            start = stop
    else:
        place = placer(len(order), settings)
        for r, i in enumerate(order, start=1):
            bucket, moscow = place(r, scores[i])
            breakdown = deferred(model, batch, i)
            results.append(new_result(refs[i], SCORED, scores[i], breakdown, (), r, bucket, moscow, tiebreak_of(i)))
    results += [new_result(ref, NEEDS_INPUT, None, None, found, None, None, None, None) for ref, found in unscored]
    return results


SCORED = ScoreStatus.SCORED
NEEDS_INPUT = ScoreStatus.NEEDS_INPUT


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Scoring allocates a few objects per issue and creates no reference cycles, yet on a large backlog the
    # cyclic collector keeps re-scanning the growing heap (a quarter of the time in bench/score_bench.py).
    # Pausing it for the batch is safe; a caller that had disabled it keeps it disabled.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
