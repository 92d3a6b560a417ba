"""The score card: the one attachment the worker keeps on each Linear issue, and reading it back.

Linear has no custom fields, so score, rank and bucket live on an attachment at a stable URL we own
(`attachment_url` with `{issue_id}` = the issue's UUID): `attachmentCreate` on the same URL updates it.

    title     "RICE 266.67 · rank 3 · Now"        (rounded for people)
    subtitle  the breakdown formula               ("RICE = reach 500 × impact 2 × ...")
    metadata  {"source": "syncer", "model": "rice", "score": 266.6666666666667, "rank": 3, "bucket": "Now",
               "reach": 500, ...}                  (exact numbers; Linear allows flat string/number values)

A `needs_input` issue gets a card saying what is missing, with no score, rank or bucket in its metadata, so a
stale number never looks current and the next run reads back "no score" and plans nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from syncer import escape
from syncer.models import OwnedValues, ScoreResult

SOURCE = "syncer"
_TITLE_MAX = 250


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    subtitle: str
    metadata: dict[str, str | float | int]


def _display(score: float) -> str:
    return f"{score:.2f}" if abs(score) < 1e15 else f"{score:.6g}"


def render_card(result: ScoreResult | None, values: Mapping[str, float | int | str | None]) -> Card:
    """The card for one issue: `values` are the score, rank and bucket to show (exact), `result` the why."""
    score, rank, bucket = values.get("score"), values.get("rank"), values.get("bucket")
    breakdown = result.breakdown if result is not None else None
    metadata: dict[str, str | float | int] = {"source": SOURCE}
    if not isinstance(score, int | float):
        # No breakdown (and so no model name) comes with a needs-input result; the wording matches the comment's.
        problems = result.problems if result is not None else ()
        missing = ", ".join(dict.fromkeys(p.input for p in problems))
        title = "Priority score: needs input" + (f" ({missing})" if missing else "")
        # The problems quote input values as typed; Linear renders Markdown, so they are escaped. (The card is
        # rewritten only when its values change, so this costs no write on issues already carded.)
        why = escape.markdown("; ".join(f"{p.input}: {p.message}" for p in problems))
        return Card(title[:_TITLE_MAX], why, metadata)
    model = breakdown.model if breakdown is not None else "Score"
    metadata.update(model=model.lower(), score=float(score))
    parts = [f"{model.upper()} {_display(float(score))}"]
    if isinstance(rank, int):
        parts.append(f"rank {rank}")
        metadata["rank"] = rank
    if isinstance(bucket, str) and bucket:
        parts.append(bucket)
        metadata["bucket"] = bucket
    if breakdown is not None:
        metadata.update({f"input.{k}": v for k, v in breakdown.values.items() if math.isfinite(v)})
    return Card(" · ".join(parts)[:_TITLE_MAX], breakdown.formula if breakdown else "", metadata)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def read_card(metadata: Mapping[str, Any] | None) -> OwnedValues:
    """Score, rank and bucket as our card holds them; empty when the card is not ours or is unreadable."""
    if not isinstance(metadata, Mapping) or metadata.get("source") != SOURCE:
        return OwnedValues()
    rank = _number(metadata.get("rank"))
    bucket = metadata.get("bucket")
    return OwnedValues(
        score=_number(metadata.get("score")),
        rank=int(rank) if rank is not None and rank == int(rank) else None,
        bucket=bucket if isinstance(bucket, str) and bucket else None,
    )
