"""The batch path's records and orderings against their plain equivalents: the fast constructor, deferred
breakdowns, column-wise formulas and the numpy ranking."""

from __future__ import annotations

import dataclasses
import math
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from syncer.models import Breakdown, IssueRef, Problem, ScoreResult, ScoreStatus, natural_key, new_result
from syncer.scoring import evaluate, score_backlog
from syncer.scoring.frameworks import ICE_AVERAGE, ICE_PRODUCT, RICE, WSJF, Framework
from syncer.scoring.ranking import ranked_indices
from syncer.settings.scoring import ScoringSettings

FIELDS = ("ref", "status", "score", "breakdown", "problems", "rank", "bucket", "moscow", "tiebreak")


def test_new_result_is_the_constructor_for_every_field() -> None:
    assert tuple(f.name for f in dataclasses.fields(ScoreResult)) == FIELDS  # new_result sets these nine
    values: tuple[Any, ...] = (
        IssueRef("t", "K-1"),
        ScoreStatus.SCORED,
        2.5,
        Breakdown("RICE", "f", {"reach": 1.0}, {"reach": 1}),
        (Problem("x", "y"),),
        7,
        "Later",
        "Could",
        3.0,
    )
    fast, plain = new_result(*values), ScoreResult(*values)
    assert type(fast) is ScoreResult
    assert fast == plain and repr(fast) == repr(plain) and hash(fast.ref) == hash(plain.ref)
    assert [getattr(fast, name) for name in FIELDS] == list(values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.rank = 1  # type: ignore[misc]


def _batch_result(inputs: dict[str, Any], settings_: ScoringSettings | None = None) -> ScoreResult:
    (result,) = score_backlog([(IssueRef("t", "K-1"), inputs)], settings_ or ScoringSettings())
    return result


def test_a_deferred_breakdown_equals_the_eager_one_however_it_is_used() -> None:
    inputs = {"reach": "500", "impact": "High", "confidence": "80%", "effort": 3}
    eager = evaluate(IssueRef("t", "K-1"), inputs, ScoringSettings()).breakdown
    assert eager is not None
    # Each use on a fresh result, so each one is the first to settle the deferred breakdown.
    assert _batch_result(inputs).breakdown == eager
    assert repr(_batch_result(inputs).breakdown) == repr(eager)
    assert pickle.loads(pickle.dumps(_batch_result(inputs).breakdown)) == eager
    adapter = TypeAdapter(ScoreResult)
    deferred = _batch_result(inputs)
    assert adapter.dump_json(deferred) == adapter.dump_json(dataclasses.replace(deferred, breakdown=eager))
    assert adapter.validate_json(adapter.dump_json(deferred)) == deferred
    breakdown = _batch_result(inputs).breakdown
    assert breakdown is not None
    assert (breakdown.model, breakdown.formula, dict(breakdown.values), dict(breakdown.raw)) == (
        "RICE",
        "RICE = reach 500 × impact 2 × confidence 80% ÷ effort 3 = 266.67",
        {"reach": 500.0, "impact": 2.0, "confidence": 0.8, "effort": 3.0},
        inputs,
    )
    with pytest.raises(AttributeError):
        breakdown.formula = "changed"  # type: ignore[misc]


FINITE_OR_HUGE = st.one_of(st.floats(min_value=0.0, max_value=1e6), st.floats(min_value=1e150, max_value=1e308))
POSITIVE = st.one_of(st.floats(min_value=1e-300, max_value=1e6), st.floats(min_value=1e150, max_value=1e308))


@pytest.mark.parametrize("framework", [RICE, ICE_PRODUCT, ICE_AVERAGE, WSJF], ids=lambda f: f"{f.name}")
@settings(max_examples=200)
@given(data=st.data())
def test_column_formulas_are_the_row_formulas_bit_for_bit(framework: Framework, data: st.DataObject) -> None:
    # As parse_input leaves them: 0 or more, a divisor greater than 0; huge values make the score overflow.
    values = [POSITIVE if rule.divisor else FINITE_OR_HUGE for rule in framework.rules]
    rows = data.draw(st.lists(st.tuples(*values), min_size=1, max_size=20))
    assert framework.compute_columns is not None
    columns = [list(column) for column in zip(*rows, strict=True)]
    for row, batch in zip(rows, framework.compute_columns(columns), strict=True):
        used = framework.convert(row) if framework.convert is not None else row
        single = framework.compute(used)
        assert (math.isnan(single) and math.isnan(batch)) or (single, math.copysign(1, single)) == (
            batch,
            math.copysign(1, batch),
        )
        if framework.tiebreak is not None:  # the batch path reads the tiebreak before conversion
            assert used[framework.tiebreak] == row[framework.tiebreak]


USUAL = ["K-1", "K-2", "K-10", "K-9", "K-01", "A-3", "ZZ-1", "k-2"]
UNUSUAL = ["K1a", "1-K", "K-١", "K", "-3", "K-2.5", "12", "K-99999999999999999999"]


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, -0.0, 1.0, 2.5, 7.0]),
            st.sampled_from([0.5, 1.0, 3.0]),
            st.sampled_from(USUAL) | st.sampled_from(UNUSUAL),
            st.sampled_from(["a", "b"]),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_ranked_indices_is_the_documented_sort(entries: list[tuple[float, float, str, str]], tiebreak: bool) -> None:
    scores = [score for score, _, _, _ in entries]
    tiebreaks = [t for _, t, _, _ in entries] if tiebreak else None
    refs = [IssueRef(tracker, key) for _, _, key, tracker in entries]

    def documented(i: int) -> tuple[float, float, Any, str]:
        return (-scores[i], tiebreaks[i] if tiebreaks else 0.0, natural_key(refs[i].key), refs[i].tracker)

    assert ranked_indices(scores, tiebreaks, refs) == sorted(range(len(entries)), key=documented)
