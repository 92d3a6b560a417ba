"""The four models: formulas, words, percentages, breakdowns and the inputs each needs."""

from __future__ import annotations

from typing import Any

import pytest

from syncer.models import IssueRef, RawValue, ScoreResult, ScoreStatus
from syncer.scoring import evaluate, model_inputs
from syncer.settings.scoring import Criterion, ScoringSettings

REF = IssueRef("local", "ACME-1")


def scored(inputs: dict[str, Any], settings: ScoringSettings) -> ScoreResult:
    result = evaluate(REF, inputs, settings)
    assert result.status is ScoreStatus.SCORED, result.problems
    assert result.breakdown is not None
    return result


def test_model_inputs() -> None:
    assert model_inputs(ScoringSettings()) == ("reach", "impact", "confidence", "effort")
    assert model_inputs(ScoringSettings(model="ice")) == ("impact", "confidence", "ease")
    assert model_inputs(ScoringSettings(model="wsjf")) == (
        "business_value",
        "time_criticality",
        "risk_reduction",
        "job_size",
    )
    criteria = [Criterion(name="value", weight=2), Criterion(name="cost", weight=1, invert=True)]
    assert model_inputs(ScoringSettings(model="weighted", criteria=criteria)) == ("value", "cost")


def test_rice_formula_and_breakdown() -> None:
    raw: dict[str, RawValue] = {"reach": 500, "impact": "high", "confidence": "80%", "effort": 3}
    result = scored({**raw, "summary": "ignored"}, ScoringSettings())
    assert result.score == pytest.approx(266.6666666)
    assert result.tiebreak == 3
    assert result.breakdown is not None
    assert result.breakdown.model == "RICE"
    assert result.breakdown.formula == "RICE = reach 500 × impact 2 × confidence 80% ÷ effort 3 = 266.67"
    assert result.breakdown.values == {"reach": 500, "impact": 2, "confidence": 0.8, "effort": 3}
    assert result.breakdown.raw == raw


@pytest.mark.parametrize(
    ("word", "number"),
    [("massive", 3), ("High", 2), (" MEDIUM ", 1), ("low", 0.5), ("Minimal", 0.25), ("1.5", 1.5), (" 1e0 ", 1)],
)
def test_rice_impact_words_and_numbers(word: str, number: float) -> None:
    result = scored({"reach": 1, "impact": word, "confidence": 100, "effort": 1}, ScoringSettings())
    assert result.score == pytest.approx(number)


@pytest.mark.parametrize(
    ("raw", "fraction"),
    [("80", 0.8), ("80%", 0.8), (80, 0.8), (" 80 % ", 0.8), (12.5, 0.125), ("high", 1.0), ("Medium", 0.8),
     ("LOW", 0.5), ("0%", 0.0), ("100 %", 1.0)],
)  # fmt: skip
def test_rice_confidence_percentages_and_words(raw: RawValue, fraction: float) -> None:
    result = scored({"reach": 10, "impact": 1, "confidence": raw, "effort": 1}, ScoringSettings())
    assert result.score == pytest.approx(10 * fraction)
    assert result.breakdown is not None
    assert result.breakdown.values["confidence"] == pytest.approx(fraction)


def test_percent_sign_only_for_percentages() -> None:
    result = evaluate(REF, {"reach": "50%", "impact": 1, "confidence": 100, "effort": 1}, ScoringSettings())
    assert [p.input for p in result.problems] == ["reach"]


def test_configured_words_extend_and_override_builtin_words() -> None:
    settings = ScoringSettings(words={"impact": {"Huge": 5, "HIGH": 2.5}, "effort": {"XS": 0.5}})
    result = scored({"reach": 10, "impact": " huge ", "confidence": 100, "effort": "xs"}, settings)
    assert result.score == pytest.approx(100)
    assert scored({"reach": 1, "impact": "High", "confidence": 100, "effort": 1}, settings).score == 2.5
    assert scored({"reach": 1, "impact": "massive", "confidence": 100, "effort": 1}, settings).score == 3
    bad = evaluate(REF, {"reach": 1, "impact": "giant", "confidence": 100, "effort": 1}, settings)
    assert "huge" in bad.problems[0].message


def test_configured_words_are_still_validated() -> None:
    settings = ScoringSettings(words={"effort": {"none": 0}})
    result = evaluate(REF, {"reach": 1, "impact": 1, "confidence": 100, "effort": "None"}, settings)
    assert [p.input for p in result.problems] == ["effort"]


def test_ice_product_and_average() -> None:
    inputs = {"impact": 8, "confidence": "7", "ease": 5}
    product = scored(inputs, ScoringSettings(model="ice"))
    assert product.score == 280
    assert product.tiebreak is None
    assert product.breakdown is not None
    assert product.breakdown.formula == "ICE = impact 8 × confidence 7 × ease 5 = 280.00"
    average = scored(inputs, ScoringSettings(model="ice", ice_mode="average"))
    assert average.score == pytest.approx(20 / 3)
    assert average.breakdown is not None
    assert average.breakdown.formula == "ICE = (impact 8 + confidence 7 + ease 5) ÷ 3 = 6.67"


def test_ice_words_from_a_jira_select() -> None:
    settings = ScoringSettings(model="ice", words={"impact": {"High": 9, "Low": 2}})
    assert scored({"impact": "high", "confidence": 1, "ease": 1}, settings).score == 9


def test_ice_scale_bounds_are_inclusive() -> None:
    assert scored({"impact": 1, "confidence": 10, "ease": "10"}, ScoringSettings(model="ice")).score == 100


def test_wsjf() -> None:
    inputs = {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}
    result = scored(inputs, ScoringSettings(model="wsjf"))
    assert result.score == pytest.approx(3.2)
    assert result.tiebreak == 5
    assert result.breakdown is not None
    assert result.breakdown.formula == (
        "WSJF = (business value 8 + time criticality 5 + risk reduction 3) ÷ job size 5 = 3.20"
    )


def test_weighted_with_invert() -> None:
    criteria = [
        Criterion(name="value", weight=3, min=1, max=5),
        Criterion(name="cost", weight=1, min=1, max=5, invert=True),
    ]
    settings = ScoringSettings(model="weighted", criteria=criteria)
    result = scored({"value": 4, "cost": 2}, settings)
    # cost 2 on a 1-5 scale, inverted: 5 + 1 - 2 = 4; (3*4 + 1*4) / 4 = 4.
    assert result.score == pytest.approx(4.0)
    assert result.tiebreak is None
    assert result.breakdown is not None
    assert result.breakdown.values == {"value": 4, "cost": 4}
    assert result.breakdown.raw == {"value": 4, "cost": 2}
    assert result.breakdown.formula == "Weighted = (3 × value 4 + 1 × cost 4 (inverted from 2)) ÷ 4 = 4.00"


def test_weighted_weights_need_not_sum_to_one() -> None:
    criteria = [Criterion(name="a", weight=0.2, min=0, max=10), Criterion(name="b", weight=0.3, min=0, max=10)]
    result = scored({"a": 10, "b": 0}, ScoringSettings(model="weighted", criteria=criteria))
    assert result.score == pytest.approx(4.0)


def test_weighted_values_must_be_on_the_criterion_scale() -> None:
    criteria = [Criterion(name="value", weight=1, min=1, max=5), Criterion(name="risk", weight=1, min=0, max=3)]
    settings = ScoringSettings(model="weighted", criteria=criteria)
    result = evaluate(REF, {"value": 6, "risk": -1}, settings)
    assert [p.input for p in result.problems] == ["value", "risk"]
    assert "from 1 to 5" in result.problems[0].message
    assert "from 0 to 3" in result.problems[1].message


def test_numeric_strings_are_decimal_notation_only() -> None:
    settings = ScoringSettings()
    for good in ("1e3", " 1000 ", "+1000", "1000.", "1000.0"):
        assert scored({"reach": good, "impact": 1, "confidence": 100, "effort": 1}, settings).score == 1000
    for bad in ("1,000", "1 000", "0x10", "١٠", "1_000", "--1"):
        result = evaluate(REF, {"reach": bad, "impact": 1, "confidence": 100, "effort": 1}, settings)
        assert [p.input for p in result.problems] == ["reach"], bad


def test_formula_shows_short_numbers() -> None:
    result = scored({"reach": 0.1, "impact": 0.25, "confidence": 100, "effort": 0.5}, ScoringSettings())
    assert result.breakdown is not None
    assert result.breakdown.formula == "RICE = reach 0.1 × impact 0.25 × confidence 100% ÷ effort 0.5 = 0.05"
