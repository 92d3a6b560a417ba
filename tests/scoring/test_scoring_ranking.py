"""Ranking order, tie-breaking, Now/Next/Later buckets and MoSCoW categories."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from syncer.models import Breakdown, IssueRef, Problem, RawValue, ScoreResult, ScoreStatus
from syncer.pipeline import run_sync
from syncer.scoring import BUCKETS, MOSCOW, bucket_sizes, evaluate, rank, score_backlog
from syncer.scoring.engine import Scorer
from syncer.scoring.ranking import placed
from syncer.settings import load_settings
from syncer.settings.scoring import Buckets, MoSCoW, ScoringSettings
from tests.conftest import base_config, make_issue

RICE = ScoringSettings()


def rice(reach: float, effort: float = 1) -> dict[str, RawValue]:
    return {"reach": reach, "impact": 1, "confidence": 100, "effort": effort}


def backlog(*rows: tuple[str, Mapping[str, RawValue]]) -> list[tuple[IssueRef, Mapping[str, RawValue]]]:
    return [(IssueRef("local", key), inputs) for key, inputs in rows]


def keys(results: list[ScoreResult]) -> list[str]:
    return [r.ref.key for r in results]


def test_higher_score_first_then_lower_effort_then_natural_key() -> None:
    results = score_backlog(
        backlog(
            ("ACME-10", rice(10, effort=1)),
            ("ACME-9", rice(10, effort=1)),
            ("ACME-2", rice(20, effort=2)),  # score 10, but more effort
            ("ACME-1", rice(30, effort=1)),
            ("ACME-100", rice(10, effort=1)),
        ),
        RICE,
    )
    assert keys(results) == ["ACME-1", "ACME-9", "ACME-10", "ACME-100", "ACME-2"]
    assert [r.rank for r in results] == [1, 2, 3, 4, 5]


def test_ice_ties_go_straight_to_the_key() -> None:
    settings = ScoringSettings(model="ice")
    results = score_backlog(
        backlog(
            ("X-10", {"impact": 2, "confidence": 5, "ease": 10}),
            ("X-9", {"impact": 10, "confidence": 5, "ease": 2}),
        ),
        settings,
    )
    assert keys(results) == ["X-9", "X-10"]


def test_cross_tracker_ties_are_broken_by_tracker_name() -> None:
    items = [
        (IssueRef("linear", "ENG-1"), rice(5)),
        (IssueRef("jira", "ENG-1"), rice(5)),
    ]
    results = score_backlog(items, ScoringSettings(scope="all"))
    assert [r.ref.tracker for r in results] == ["jira", "linear"]


def test_needs_input_come_last_in_input_order_without_rank_or_bucket() -> None:
    results = score_backlog(
        backlog(
            ("A-1", {"reach": None}),
            ("A-2", rice(1)),
            ("A-3", rice(1, effort=0)),
            ("A-4", rice(2)),
        ),
        ScoringSettings(moscow=MoSCoW(must=10, should=5, could=1)),
    )
    assert keys(results) == ["A-4", "A-2", "A-1", "A-3"]
    for result in results[2:]:
        assert result.status is ScoreStatus.NEEDS_INPUT
        assert (result.rank, result.bucket, result.moscow, result.score) == (None, None, None, None)


def test_rank_accepts_previously_ranked_results_and_clears_stale_placement() -> None:
    stale = ScoreResult(
        IssueRef("local", "B-1"), ScoreStatus.NEEDS_INPUT, problems=(Problem("reach", "x"),), rank=1, bucket="Now"
    )
    fresh = evaluate(IssueRef("local", "B-2"), rice(3), RICE)
    first = rank([stale, fresh], RICE)
    again = rank(first, RICE)
    assert again == first
    assert (first[1].rank, first[1].bucket) == (None, None)
    assert (first[0].rank, first[0].bucket) == (1, "Now")


def test_score_backlog_equals_rank_of_evaluate() -> None:
    items = backlog(*[(f"K-{i}", rice(i % 7, effort=1 + i % 3)) for i in range(40)], ("K-x", {"reach": "?"}))
    settings = ScoringSettings(moscow=MoSCoW(must=4, should=2, could=1))
    expected = rank([evaluate(ref, inputs, settings) for ref, inputs in items], settings)
    assert score_backlog(items, settings) == expected


@pytest.mark.parametrize(
    ("n", "now", "next_", "expected"),
    [
        (0, 0.2, 0.3, (0, 0)),
        (1, 0.2, 0.3, (1, 0)),  # Now gets at least one issue
        (2, 0.2, 0.3, (1, 1)),
        (3, 0.2, 0.3, (1, 1)),
        (5, 0.2, 0.3, (1, 2)),  # 1.5 rounds half up
        (10, 0.2, 0.3, (2, 3)),
        (100, 0.2, 0.3, (20, 30)),
        (7, 0.5, 0.5, (4, 3)),  # Next never takes more than remains
        (4, 0.0, 0.5, (0, 2)),  # no Now share: nothing is forced into Now
        (3, 1.0, 0.0, (3, 0)),
    ],
)
def test_bucket_sizes(n: int, now: float, next_: float, expected: tuple[int, int]) -> None:
    assert bucket_sizes(n, Buckets(now=now, next=next_)) == expected


def test_buckets_follow_rank() -> None:
    results = score_backlog(backlog(*[(f"B-{i}", rice(100 - i)) for i in range(10)]), RICE)
    assert [r.bucket for r in results] == ["Now"] * 2 + ["Next"] * 3 + ["Later"] * 5
    assert results[0].moscow is None
    assert BUCKETS == ("Now", "Next", "Later")


def test_moscow_thresholds() -> None:
    settings = ScoringSettings(moscow=MoSCoW(must=50, should=20, could=5))
    scores = {"M-1": 50, "M-2": 49.9, "M-3": 20, "M-4": 5, "M-5": 4.99, "M-6": 0}
    results = score_backlog(backlog(*[(k, rice(v)) for k, v in scores.items()]), settings)
    assert [r.moscow for r in results] == ["Must", "Should", "Should", "Could", "Won't", "Won't"]
    # The bucket stays Now/Next/Later unless bucket_style says otherwise.
    assert [r.bucket for r in results] == ["Now", "Next", "Next", "Later", "Later", "Later"]
    assert MOSCOW == ("Must", "Should", "Could", "Won't")


def test_moscow_bucket_style() -> None:
    settings = ScoringSettings(bucket_style="moscow", moscow=MoSCoW(must=50, should=20, could=5))
    results = score_backlog(backlog(("M-1", rice(60)), ("M-2", rice(1))), settings)
    assert [(r.bucket, r.moscow) for r in results] == [("Must", "Must"), ("Won't", "Won't")]


def test_placed_is_equivalent_to_dataclasses_replace() -> None:
    # `placed` copies every field by hand for speed; this fails if ScoreResult gains a field it does not copy.
    assert [f.name for f in dataclasses.fields(ScoreResult)] == [
        "ref", "status", "score", "breakdown", "problems", "rank", "bucket", "moscow", "tiebreak",
    ]  # fmt: skip
    result = ScoreResult(
        IssueRef("t", "K-1"),
        ScoreStatus.SCORED,
        score=2.5,
        breakdown=Breakdown("RICE", "f", {"reach": 1.0}, {"reach": 1}),
        problems=(Problem("x", "y"),),
        rank=7,
        bucket="Later",
        moscow="Could",
        tiebreak=3.0,
    )
    assert placed(result, 1, "Now", "Must") == dataclasses.replace(result, rank=1, bucket="Now", moscow="Must")


def test_a_sync_builds_one_scorer_per_ranking_not_one_per_issue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backlog = tmp_path / "backlog.json"
    backlog.write_text(json.dumps({"version": 1, "issues": [make_issue(n) for n in range(1, 41)]}))
    config = tmp_path / "syncer.toml"
    config.write_text(base_config(backlog, tmp_path / "work"))
    built: list[ScoringSettings] = []
    original = Scorer.from_settings

    def counting(settings: ScoringSettings) -> Scorer:
        built.append(settings)
        return original(settings)

    monkeypatch.setattr(Scorer, "from_settings", counting)
    report = run_sync(load_settings(config), dry_run=True)
    assert len(report.results) == 40
    assert len(built) == 1
