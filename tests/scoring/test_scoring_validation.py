"""Bad inputs make an issue needs_input with one problem per bad input, naming it; good ones score."""

from __future__ import annotations

from typing import Any

import pytest

from syncer.models import IssueRef, ScoreResult, ScoreStatus
from syncer.scoring import evaluate
from syncer.settings.scoring import ScoringSettings

REF = IssueRef("local", "ACME-1")
RICE = ScoringSettings()
GOOD = {"reach": 500, "impact": 2, "confidence": 80, "effort": 3}


def rice(**changes: Any) -> ScoreResult:
    inputs = {**GOOD, **changes}
    return evaluate(REF, {k: v for k, v in inputs.items() if v is not ...}, RICE)


def only_problem(result: ScoreResult) -> str:
    assert result.status is ScoreStatus.NEEDS_INPUT
    assert result.score is None and result.rank is None and result.breakdown is None
    assert len(result.problems) == 1
    return result.problems[0].input


def test_good_inputs_score() -> None:
    result = rice()
    assert result.status is ScoreStatus.SCORED
    assert result.score == pytest.approx(500 * 2 * 0.8 / 3)
    assert result.problems == ()


@pytest.mark.parametrize("missing", [..., None, "", "   "], ids=["absent", "none", "empty", "blank"])
def test_missing_input(missing: Any) -> None:
    result = rice(effort=missing)
    assert only_problem(result) == "effort"
    assert "effort is missing" in result.problems[0].message
    assert "greater than 0" in result.problems[0].message


@pytest.mark.parametrize("raw", ["abc", "1,5", "12 people", [3], {"v": 3}, object(), b"3", "1_000"])
def test_non_numeric_input(raw: Any) -> None:
    result = rice(reach=raw)
    assert only_problem(result) == "reach"
    assert "is not a number" in result.problems[0].message


def test_non_numeric_word_lists_accepted_words() -> None:
    result = rice(impact="huge")
    assert only_problem(result) == "impact"
    assert result.problems[0].message == "impact 'huge' is not a number or one of: massive, high, medium, low, minimal"


@pytest.mark.parametrize("raw", [True, False])
def test_booleans_are_not_numbers(raw: bool) -> None:
    result = rice(reach=raw)
    assert only_problem(result) == "reach"
    assert "not a number" in result.problems[0].message


@pytest.mark.parametrize("raw", [float("nan"), "nan", "NaN"])
def test_nan_input(raw: Any) -> None:
    result = rice(impact=raw)
    assert only_problem(result) == "impact"
    assert "NaN" in result.problems[0].message


@pytest.mark.parametrize("raw", [float("inf"), float("-inf"), "inf", "-Infinity", "1e999", 10**400])
def test_infinite_input(raw: Any) -> None:
    result = rice(reach=raw)
    assert only_problem(result) == "reach"
    assert "infinite" in result.problems[0].message


@pytest.mark.parametrize("raw", [-1, -0.5, "-3"])
def test_negative_input(raw: Any) -> None:
    result = rice(reach=raw)
    assert only_problem(result) == "reach"
    assert result.problems[0].message.endswith("it must be 0 or more")


@pytest.mark.parametrize(("name", "raw"), [("confidence", 101), ("confidence", "150%"), ("confidence", -5)])
def test_out_of_scale_percentage(name: str, raw: Any) -> None:
    result = rice(**{name: raw})
    assert only_problem(result) == name
    assert "from 0 to 100%" in result.problems[0].message


@pytest.mark.parametrize(("name", "raw"), [("impact", 0), ("confidence", 11), ("ease", 10.5), ("ease", "-2")])
def test_out_of_scale_ice(name: str, raw: Any) -> None:
    inputs = {"impact": 5, "confidence": 5, "ease": 5, name: raw}
    result = evaluate(REF, inputs, ScoringSettings(model="ice"))
    assert only_problem(result) == name
    assert "from 1 to 10" in result.problems[0].message


@pytest.mark.parametrize("raw", [0, 0.0, "0", " 0.0 ", -2])
def test_zero_divisor(raw: Any) -> None:
    result = rice(effort=raw)
    assert only_problem(result) == "effort"
    shown = "-2" if raw == -2 else "0"
    assert result.problems[0].message == f"effort is {shown}; it must be greater than 0 (it divides the score)"


def test_zero_job_size_in_wsjf() -> None:
    inputs = {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 0}
    result = evaluate(REF, inputs, ScoringSettings(model="wsjf"))
    assert only_problem(result) == "job_size"
    assert "greater than 0" in result.problems[0].message


def test_one_problem_per_bad_input_in_model_order() -> None:
    result = evaluate(REF, {"reach": "lots", "impact": 2, "confidence": "sure", "effort": 0}, RICE)
    assert result.status is ScoreStatus.NEEDS_INPUT
    assert [p.input for p in result.problems] == ["reach", "confidence", "effort"]


@pytest.mark.parametrize("name", ["reach", "impact", "confidence"])
def test_valid_zero_is_a_real_score_of_zero(name: str) -> None:
    result = rice(**{name: 0})
    assert result.status is ScoreStatus.SCORED
    assert result.score == 0.0
    assert str(result.score) == "0.0"  # never -0.0


def test_score_overflow_is_a_problem_not_infinity() -> None:
    result = rice(reach=1e300, impact=1e300)
    assert result.status is ScoreStatus.NEEDS_INPUT
    assert result.score is None
    assert len(result.problems) == 1
    assert result.problems[0].input in {"reach", "impact"}
    assert "too large" in result.problems[0].message


def test_overflow_to_nan_is_a_problem() -> None:
    # 1e300 * 1e300 overflows to inf, and inf * 0 would be NaN.
    result = rice(reach=1e300, impact=1e300, confidence=0)
    assert result.status is ScoreStatus.NEEDS_INPUT


def test_hostile_objects_never_raise() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

        def __float__(self) -> float:
            raise RuntimeError("no float")

    result = rice(reach=Hostile())
    assert only_problem(result) == "reach"
    assert "Hostile" in result.problems[0].message


def test_long_raw_values_are_shortened_in_messages() -> None:
    result = rice(reach="x" * 500)
    assert len(result.problems[0].message) < 120
