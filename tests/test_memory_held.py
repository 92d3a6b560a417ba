"""What a run holds per issue while it plans and writes (issue 13: 50,000 issues under 300 MB, report on).

Peak RSS itself is measured by `bench/e2e_bench.py` (docs/benchmarks.md); these pin, with tracemalloc, the
per-issue records whose size decided it, so that a change which starts holding them again fails here.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import syncer
from syncer.comments import render_comment, text_hash
from syncer.models import IssueRef, ScoreResult, StatusCategory, TrackerIssue
from syncer.scoring import score_backlog
from syncer.settings import ScoringSettings
from syncer.writeback import plan_writeback

N = 2000
SYNCER = Path(syncer.__file__).parent
NOW = datetime(2026, 11, 29, tzinfo=UTC)


def backlog() -> tuple[list[TrackerIssue], dict[IssueRef, ScoreResult]]:
    issues = [
        TrackerIssue(
            tracker="t",
            key=f"ACME-{n}",
            id=str(10_000 + n),
            url=f"https://acme.example/browse/ACME-{n}",
            title=f"Issue {n}",
            status="To Do",
            status_category=StatusCategory.TODO,
            created=NOW,
            updated=NOW,
            inputs={"reach": 10 + n, "impact": "High", "confidence": "80%", "effort": 1 + n % 13},
        )
        for n in range(N)
    ]
    results = {r.ref: r for r in score_backlog([(i.ref, i.inputs) for i in issues], ScoringSettings())}
    return issues, results


def held_per_issue(make: Callable[[], Any]) -> tuple[Any, float]:
    """What `make()` leaves allocated by syncer's own code (its result kept), in bytes per issue. Allocations
    elsewhere (another test's server thread still winding down) are not counted."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        kept = make()
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    mine = [tracemalloc.Filter(True, str(SYNCER / "*"))]
    grown = sum(d.size_diff for d in after.filter_traces(mine).compare_to(before.filter_traces(mine), "filename"))
    return kept, grown / N


def test_reading_a_breakdown_keeps_nothing_per_issue() -> None:
    _issues, results = backlog()

    def read_all() -> int:
        return sum(
            len(r.breakdown.formula) + len(r.breakdown.values) + len(r.breakdown.raw)
            for r in results.values()
            if r.breakdown
        )

    total, held = held_per_issue(read_all)
    assert total > 0
    # Kept once read, they were a formula and two dicts per issue (about 500 bytes), held to the end of the run.
    assert held < 50, f"{held:.0f} bytes per issue kept after reading the breakdowns"
    first = next(iter(results.values())).breakdown
    assert first is not None and first.formula == first.formula and first.values == dict(first.values)


def test_a_planned_comment_is_rendered_when_written_not_held() -> None:
    issues, results = backlog()
    plan, held = held_per_issue(
        lambda: plan_writeback("t", issues, results, outputs=("score", "rank", "bucket"), comment=True)
    )
    assert len(plan.writes) == N
    # The write, its two field maps and its upsert; the text (about 500 bytes, every issue of a first sync at
    # once) is rendered again when the writer reads it.
    assert held < 850, f"{held:.0f} bytes per planned write"
    for write, issue in zip(plan.writes, issues, strict=True):
        assert write.comment is not None
        text = write.comment.text
        assert text == render_comment(issue, results[issue.ref]) and text_hash(text) == write.comment.text_hash
        assert write.comment.spent().text == "" and write.comment.spent().text_hash == write.comment.text_hash
