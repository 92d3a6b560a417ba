"""Input specs, estimate scales and the score card: what a Linear user configures and then sees."""

from __future__ import annotations

import pytest

from connectors.errors import TrackerConfigError
from connectors.linear.card import read_card, render_card
from connectors.linear.estimates import EstimateScale
from connectors.linear.inputs import InputSpec, IssueLabels, description_values, parse_spec, parse_specs, read_input
from syncer.models import Breakdown, IssueRef, OwnedValues, Problem, ScoreResult, ScoreStatus

FIB = EstimateScale("fibonacci")
LABELS = IssueLabels((("High", "Impact"), ("80%", "Confidence"), ("reach=500", None), ("bug", None)))


def _read(spec: str, node: dict[str, object] | None = None, labels: IssueLabels = LABELS, needs: int | None = None):
    return read_input(parse_spec("x", spec), node or {}, labels, FIB, needs)


def test_specs_parse_built_ins_and_prefixed_kinds() -> None:
    assert parse_spec("effort", "estimate") == InputSpec("effort", "estimate")
    assert parse_spec("impact", "label:Impact") == InputSpec("impact", "label", "Impact")
    assert parse_spec("reach", "label_prefix:reach=") == InputSpec("reach", "label_prefix", "reach=")
    assert parse_spec("reach", "description:Reach") == InputSpec("reach", "description", "Reach")


def test_an_unknown_spec_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(TrackerConfigError, match=r"tracker 'product': inputs.reach: unknown Linear input 'Reach'"):
        parse_specs({"reach": "Reach"}, "product")
    with pytest.raises(ValueError, match="label:<group>"):
        parse_spec("impact", "label:")


def test_label_group_gives_the_option_name_for_the_word_map() -> None:
    assert _read("label:Impact") == "High"
    assert _read("label:impact") == "High"  # group names compared case-blind
    assert _read("label:Effort") is None


def test_label_prefix_gives_the_rest_and_two_different_values_stay_visible() -> None:
    assert _read("label_prefix:reach=") == "500"
    two = IssueLabels((("reach=500", None), ("Reach=800", None)))
    assert _read("label_prefix:reach=", labels=two) == "500, 800"  # the engine reports it as unreadable


def test_description_block_lines_are_read_by_name() -> None:
    description = "Context.\n\n```syncer\nReach: 1,200 users\nConfidence = 80%\n```\n\nReach: 5 (outside the block)"
    assert description_values(description) == {"reach": "1,200 users", "confidence": "80%"}
    assert _read("description:Confidence", {"description": description}) == "80%"
    assert _read("description:Effort", {"description": description}) is None
    assert _read("description:Reach", {"description": None}) is None


def test_priority_is_a_word_and_no_priority_is_missing() -> None:
    # Linear's numbers run the wrong way for a score (1 = Urgent), so the word goes to the engine's word map.
    assert [_read("priority", {"priority": p}) for p in (0, 1, 2, 3, 4)] == [None, "Urgent", "High", "Medium", "Low"]


def test_customer_needs_and_estimate() -> None:
    assert _read("customer_needs", needs=7) == 7
    assert _read("estimate", {"estimate": 5.0}) == 5.0
    assert _read("estimate", {"estimate": None}) is None


@pytest.mark.parametrize(
    ("kind", "stored", "points"),
    [
        ("fibonacci", 8, 8),
        ("exponential", 16, 8),
        ("exponential", 64, 21),
        ("linear", 5, 8),
        ("linear", 3, 3),
        ("tShirt", 5, 5),  # L
        ("exponential", 6, 4),  # between steps 4 and 8: halfway between 3 and 5
        ("fibonacci", 0, 0),
        ("notUsed", 7, 7),
    ],
)
def test_estimates_map_step_for_step_onto_fibonacci_points(kind: str, stored: float, points: float) -> None:
    scale = EstimateScale(kind)
    assert scale.comparable(stored) == points
    if kind != "notUsed":
        assert scale.stored(points) == stored


def test_scale_values_follow_the_team_settings() -> None:
    assert EstimateScale("linear").values == (1, 2, 3, 4, 5)
    assert EstimateScale("exponential", extended=True, allow_zero=True).values == (0, 1, 2, 4, 8, 16, 32, 64)
    assert EstimateScale("notUsed").values == ()


def _scored(score: float) -> ScoreResult:
    breakdown = Breakdown(
        "RICE",
        "RICE = reach 500 × impact 2 × confidence 80% ÷ effort 3 = 266.67",
        {"reach": 500.0, "impact": 2.0, "confidence": 0.8, "effort": 3.0},
        {},
    )
    return ScoreResult(
        IssueRef("p", "ENG-1"), ScoreStatus.SCORED, score=score, breakdown=breakdown, rank=3, bucket="Now"
    )


def test_card_rounds_for_people_and_keeps_exact_numbers_for_tools() -> None:
    result = _scored(800 / 3)
    card = render_card(result, {"score": result.score, "rank": 3, "bucket": "Now"})
    assert card.title == "RICE 266.67 · rank 3 · Now"
    assert card.subtitle.startswith("RICE = reach 500")
    assert card.metadata["score"] == 800 / 3
    assert card.metadata["input.confidence"] == 0.8
    assert all(isinstance(v, str | int | float) for v in card.metadata.values())
    assert read_card(card.metadata) == OwnedValues(800 / 3, 3, "Now")


def test_card_for_missing_input_has_no_numbers() -> None:
    result = ScoreResult(
        IssueRef("p", "ENG-2"),
        ScoreStatus.NEEDS_INPUT,
        problems=(Problem("effort", "effort is missing"), Problem("reach", "reach is missing")),
    )
    card = render_card(result, {"score": None, "rank": None, "bucket": None})
    assert card.title == "Priority score: needs input (effort, reach)"
    assert card.subtitle == "effort: effort is missing; reach: reach is missing"
    assert read_card(card.metadata) == OwnedValues()


def test_a_card_someone_else_wrote_is_not_read_as_ours() -> None:
    assert read_card({"score": 5, "rank": 1}) == OwnedValues()
    assert read_card({"source": "syncer", "score": "5", "rank": 1.5}) == OwnedValues(None, None, None)
