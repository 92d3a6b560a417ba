"""Property-based tests: the engine never raises, ranks form a permutation, invalid input never scores."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syncer.models import IssueRef, ScoreStatus
from syncer.scoring import BUCKETS, evaluate, model_inputs, rank, score_backlog
from syncer.settings.scoring import Criterion, MoSCoW, ScoringSettings

RAW = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(["high", " Medium ", "80%", "1e3", "0", "-1", "nan", "inf", "1,5", "", "massive"]),
)
MODEL_SETTINGS = [
    ScoringSettings(),
    ScoringSettings(model="ice"),
    ScoringSettings(model="ice", ice_mode="average", words={"impact": {"High": 9}}),
    ScoringSettings(model="wsjf", bucket_style="moscow", moscow=MoSCoW(must=5, should=2, could=1)),
    ScoringSettings(
        model="weighted",
        criteria=[Criterion(name="value", weight=2), Criterion(name="cost", weight=1, min=0, max=8, invert=True)],
    ),
]
NAMES = sorted({name for s in MODEL_SETTINGS for name in model_inputs(s)})


def inputs_strategy() -> st.SearchStrategy[dict[str, Any]]:
    # Mostly the model's own input names (so some issues score), plus arbitrary other keys.
    return st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text()), RAW, max_size=8)


@given(st.sampled_from(MODEL_SETTINGS), inputs_strategy())
def test_evaluate_never_raises_and_is_consistent(settings_: ScoringSettings, inputs: Mapping[str, Any]) -> None:
    result = evaluate(IssueRef("t", "K-1"), inputs, settings_)
    names = model_inputs(settings_)
    if result.status is ScoreStatus.SCORED:
        assert result.score is not None and math.isfinite(result.score)
        assert result.breakdown is not None
        assert set(result.breakdown.values) == set(names) == set(result.breakdown.raw)
        assert result.problems == ()
    else:
        assert result.score is None and result.breakdown is None and result.rank is None
        assert result.problems
        assert {p.input for p in result.problems} <= set(names)
        assert len({p.input for p in result.problems}) == len(result.problems)
        assert all(p.message.startswith(p.input) for p in result.problems)


@given(inputs_strategy())
def test_invalid_input_never_scores(inputs: Mapping[str, Any]) -> None:
    settings_ = ScoringSettings()
    result = evaluate(IssueRef("t", "K-1"), inputs, settings_)
    bad = {
        name
        for name in model_inputs(settings_)
        if not (isinstance(inputs.get(name), int | float | str) and not isinstance(inputs.get(name), bool))
    }
    if bad:
        assert result.status is ScoreStatus.NEEDS_INPUT
        assert bad <= {p.input for p in result.problems}


@given(st.sampled_from(["reach", "impact", "confidence", "effort"]), RAW)
def test_any_single_bad_value_is_reported_against_its_input(name: str, raw: Any) -> None:
    inputs: dict[str, Any] = {"reach": 10, "impact": 1, "confidence": 50, "effort": 2, name: raw}
    result = evaluate(IssueRef("t", "K-1"), inputs, ScoringSettings())
    if result.status is ScoreStatus.SCORED:
        assert result.breakdown is not None
        value = result.breakdown.values[name]
        assert math.isfinite(value) and value >= 0
        if name == "effort":
            assert value > 0
        if name == "confidence":
            assert value <= 1
    else:
        assert [p.input for p in result.problems] == [name]


@settings(max_examples=60)
@given(st.sampled_from(MODEL_SETTINGS), st.lists(inputs_strategy(), max_size=30))
def test_ranks_are_a_permutation_of_the_scored(settings_: ScoringSettings, rows: list[dict[str, Any]]) -> None:
    items = [(IssueRef("t", f"K-{i}"), inputs) for i, inputs in enumerate(rows)]
    results = score_backlog(items, settings_)
    assert sorted(r.ref.key for r in results) == sorted(ref.key for ref, _ in items)
    scored = [r for r in results if r.status is ScoreStatus.SCORED]
    assert [r.rank for r in scored] == list(range(1, len(scored) + 1))
    assert all(r.status is ScoreStatus.NEEDS_INPUT for r in results[len(scored) :])
    assert all(r.rank is None and r.bucket is None for r in results[len(scored) :])
    scores = [r.score for r in scored]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    if settings_.bucket_style == "now_next_later":
        buckets = [r.bucket for r in scored]
        assert buckets == sorted(buckets, key=BUCKETS.index)
        if scored:
            assert buckets[0] == "Now"


# Values that are equal as dict keys but read differently (True == 1 == 1.0, -0.0 == 0.0), repeated so the batch
# path's per-value memory is exercised, plus keys that tie in natural order only after the regex split.
CLASHING = st.sampled_from([True, False, 1, 1.0, 0, 0.0, -0.0, "1", "1.0", " 1 ", 3, 3.0, "3", "High", "high", 80])
KEYS = st.sampled_from(["K-1", "K-01", "K-10", "K-9", "K1a", "1-K", "K-١", "k-2", "K-2.5", "K", "-3"])


@settings(max_examples=60)
@given(
    st.sampled_from(MODEL_SETTINGS),
    st.lists(st.tuples(KEYS, st.dictionaries(st.sampled_from(NAMES), st.one_of(CLASHING, RAW))), max_size=30),
)
def test_batch_scoring_equals_ranking_single_evaluations(
    settings_: ScoringSettings, rows: list[tuple[str, dict[str, Any]]]
) -> None:
    items = [(IssueRef(f"t{i % 2}", key), inputs) for i, (key, inputs) in enumerate(rows)]
    expected = rank([evaluate(ref, inputs, settings_) for ref, inputs in items], settings_)
    results = score_backlog(items, settings_)
    assert results == expected
    # == on a dict treats 1 and 1.0 alike; the breakdown must keep the raw value's own type.
    assert [r.breakdown and [type(v) for v in r.breakdown.raw.values()] for r in results] == [
        r.breakdown and [type(v) for v in r.breakdown.raw.values()] for r in expected
    ]


def test_batch_scoring_tells_apart_values_that_are_equal_as_dict_keys() -> None:
    clashing: list[Any] = [1, True, 1.0, "1", 0, False, 0.0, -0.0, 2, 2.0, "2"]
    items = [
        (IssueRef("t", f"K-{i}"), {"reach": value, "impact": value, "confidence": 50, "effort": 1 if i % 2 else value})
        for i, value in enumerate(clashing * 2)
    ]
    results = {r.ref: r for r in score_backlog(items, ScoringSettings())}
    for ref, inputs in items:
        single = evaluate(ref, inputs, ScoringSettings())
        batch = results[ref]
        assert (batch.status, batch.problems, batch.score) == (single.status, single.problems, single.score)
        if single.breakdown is not None and batch.breakdown is not None:
            assert batch.breakdown.formula == single.breakdown.formula
            assert [type(v) for v in batch.breakdown.raw.values()] == [type(v) for v in inputs.values()]
