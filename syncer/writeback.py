"""Write-back planning (pure): compare what the worker computed with what the tracker holds; plan only changes.

A rerun over an unchanged backlog plans nothing. A `needs_input` issue that still carries an old score gets its
score, rank and bucket cleared, so a stale number never looks current.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from syncer.comments import render_comment, text_hash
from syncer.models import (
    OUTPUT_FIELDS,
    CommentUpsert,
    IssueRef,
    IssueWrite,
    ScoreResult,
    StatusCategory,
    TrackerIssue,
    WritebackPlan,
)

OutputValue = float | int | str | None


def desired_outputs(result: ScoreResult) -> dict[str, OutputValue]:
    """The exact values the worker owns for one issue; unrounded (rounding is for people, not fields)."""
    return {"score": result.score, "rank": result.rank, "bucket": result.bucket}


def same_value(current: OutputValue, wanted: OutputValue) -> bool:
    if current is None or wanted is None:
        return current is wanted
    if isinstance(current, str) or isinstance(wanted, str):
        return str(current) == str(wanted)
    # Number fields round-trip through JSON and sometimes through a float32 store; exact to 1e-9 is equal.
    return math.isclose(float(current), float(wanted), rel_tol=1e-9, abs_tol=1e-12)


def plan_issue(
    issue: TrackerIssue,
    result: ScoreResult,
    *,
    outputs: Sequence[str],
    comment: bool,
    comment_extra: tuple[str, ...] = (),
    rank_top: int | None = None,
) -> IssueWrite | None:
    """The write one issue needs, or None when the tracker already holds every owned value.

    `rank_top` (when not None) leaves a lagging rank alone below that many places: see `rank_may_lag`.
    """
    wanted = desired_outputs(result)
    fields: dict[str, OutputValue] = {}
    previous: dict[str, OutputValue] = {}
    for name in outputs:
        current = issue.owned.get(name)
        if name == "rank" and rank_top is not None and rank_may_lag(issue, result, rank_top):
            continue
        if not same_value(current, wanted[name]):
            fields[name] = wanted[name]
            previous[name] = current
    upsert: CommentUpsert | None = None
    if comment:
        text = render_comment(issue, result, extra=comment_extra)
        digest = text_hash(text)
        del text  # rendered again when written: see `CommentUpsert.deferred`
        existing = issue.comment
        render = _Render(issue, result, comment_extra)
        if existing is None:
            upsert = CommentUpsert.deferred(None, render, digest)
        elif existing.text_hash != digest or existing.duplicates or not existing.recorded:
            # A current comment still gets a write when copies of it must go or the tracker lost track of it.
            upsert = CommentUpsert.deferred(existing.id, render, digest, existing.text_hash, existing.duplicates)
    if not fields and upsert is None:
        return None
    # The result's ref, not `issue.ref` (a new object each time it is read): one per planned write, held to the end.
    return IssueWrite(result.ref, issue.id, fields, previous, upsert, result)


class _Render:
    """A planned comment's text, rendered when the writer asks (the issue and result are held anyway): holding
    every rendered text from planning to writing was about 25 MB at 50,000 issues."""

    __slots__ = ("extra", "issue", "result")

    def __init__(self, issue: TrackerIssue, result: ScoreResult, extra: tuple[str, ...]) -> None:
        self.issue, self.result, self.extra = issue, result, extra

    def __call__(self) -> str:
        return render_comment(self.issue, self.result, extra=self.extra)


def rank_may_lag(issue: TrackerIssue, result: ScoreResult, rank_top: int) -> bool:
    """Whether a changed rank may stay as stored (`rank_updates = "top"`): the issue is ranked now and was before,
    both places are below the first `rank_top`, and its bucket is unchanged. A shift of one place ripples through
    every rank below it; writing those costs a request and a notification each and tells nobody anything new."""
    stored = issue.owned.rank
    if stored is None or result.rank is None or issue.owned.bucket != result.bucket:
        return False
    return stored > rank_top and result.rank > rank_top


def plan_done(issue: TrackerIssue, outputs: Sequence[str]) -> IssueWrite | None:
    """A finished issue leaves the ranking: clear its rank and bucket; its last score and comment stay as a record."""
    fields = {name: None for name in ("rank", "bucket") if name in outputs and issue.owned.get(name) is not None}
    if not fields:
        return None
    return IssueWrite(issue.ref, issue.id, fields, {name: issue.owned.get(name) for name in fields}, None, None)


def plan_writeback(
    tracker: str,
    issues: Sequence[TrackerIssue],
    results: Mapping[IssueRef, ScoreResult],
    *,
    outputs: Sequence[str],
    comment: bool,
    comment_extra: Mapping[IssueRef, tuple[str, ...]] | None = None,
    rank_top: int | None = None,
) -> WritebackPlan:
    """Plan every change for one tracker. `outputs` lists the owned values this tracker stores; `rank_top` is the
    `rank_updates = "top"` window (None: every rank kept exact)."""
    unknown = set(outputs) - set(OUTPUT_FIELDS)
    if unknown:
        raise ValueError(f"unknown outputs: {sorted(unknown)}")
    extra = comment_extra or {}
    writes = []
    for issue in issues:
        result = results.get(issue.ref)
        if result is None:
            if issue.status_category is StatusCategory.DONE:
                cleared = plan_done(issue, outputs)
                if cleared is not None:
                    writes.append(cleared)
            continue
        write = plan_issue(
            issue,
            result,
            outputs=outputs,
            comment=comment,
            comment_extra=extra.get(issue.ref, ()),
            rank_top=rank_top,
        )
        if write is not None:
            writes.append(write)
    return WritebackPlan(tracker, tuple(writes))
