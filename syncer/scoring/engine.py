"""Scoring one issue: read each input against its rule, then apply the framework's formula.

`Scorer` binds a framework to the configured word maps once, so scoring a whole backlog does not rebuild them
per issue. An issue with any unusable input is `needs_input` with one `Problem` per bad input; an issue whose
inputs are all usable gets a finite score and a `Breakdown`, or (if the arithmetic overflows) a problem too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from syncer.models import Breakdown, IssueRef, Problem, RawValue, ScoreResult, ScoreStatus
from syncer.scoring.frameworks import Framework, framework_for
from syncer.scoring.inputs import InputRule, parse_input
from syncer.settings.scoring import ScoringSettings

# A tuple, not `str | int | float`: the union would be rebuilt on every call in the hot loop.
_RAW_TYPES = (str, int, float)


@dataclass(frozen=True, slots=True)
class Scorer:
    """A framework with the configured words merged into its input rules."""

    framework: Framework
    rules: tuple[InputRule, ...]
    names: tuple[str, ...]
    """The rules' names, kept because every issue needs them."""

    @classmethod
    def from_settings(cls, settings: ScoringSettings) -> Scorer:
        """Build the scorer for `settings.model`, extending each input's words with `settings.words`.

        Args:
            settings: The `[scoring]` section.

        Returns:
            A scorer to pass to `evaluate_with` for every issue.
        """
        framework = framework_for(settings)
        rules = tuple(rule.with_words(settings.words.get(rule.name)) for rule in framework.rules)
        return cls(framework, rules, framework.inputs)


def _overflow_problem(framework: Framework, rules: tuple[InputRule, ...], parsed: list[float]) -> Problem:
    # Blame the input furthest from 1 in order of magnitude: it is the one whose unit is most likely wrong.
    def magnitude(index: int) -> float:
        value = abs(parsed[index])
        return abs(math.log10(value)) if value > 0 else 0.0

    culprit = max(range(len(rules)), key=magnitude)
    rule = rules[culprit]
    return Problem(
        rule.name,
        f"{rule.name} is {rule.shown(parsed[culprit])}, which makes the {framework.name} score too large to "
        f"compute; use a smaller unit for {rule.name}",
    )


class Scored(NamedTuple):
    """A successful assessment, before it is wrapped in a `ScoreResult`."""

    score: float
    breakdown: Breakdown
    tiebreak: float | None


def assess(scorer: Scorer, inputs: Mapping[str, object]) -> Scored | tuple[Problem, ...]:
    """Score one issue's inputs.

    `evaluate_with` wraps the outcome in a `ScoreResult`; ranking a whole backlog uses it directly so each
    issue's result is built once, already ranked.

    Args:
        scorer: From `Scorer.from_settings`.
        inputs: Logical input name -> raw value; keys the model does not use are ignored, and values of any
            type are accepted (unusable ones become problems).

    Returns:
        The score, breakdown and tiebreak, or one problem per unusable input (never empty).
    """
    framework = scorer.framework
    parsed: list[float] = []
    raws: dict[str, RawValue] = {}
    problems: list[Problem] = []
    for rule in scorer.rules:
        raw = inputs.get(rule.name)
        value = parse_input(raw, rule)
        if isinstance(value, Problem):
            problems.append(value)
        else:
            parsed.append(value)
            # Other numeric types (Fraction, numpy scalars) are recorded as the float they became.
            raws[rule.name] = raw if isinstance(raw, _RAW_TYPES) else value
    if problems:
        return tuple(problems)

    used = framework.convert(parsed) if framework.convert is not None else parsed
    score = framework.compute(used)
    if not math.isfinite(score):
        return (_overflow_problem(framework, scorer.rules, parsed),)
    score += 0.0  # turns -0.0 into 0.0, so a zero score never prints as "-0.00"
    values = dict(zip(scorer.names, used, strict=True))
    breakdown = Breakdown(framework.name, framework.explain(parsed, used, score), values, raws)
    return Scored(score, breakdown, used[framework.tiebreak] if framework.tiebreak is not None else None)


def evaluate_with(scorer: Scorer, ref: IssueRef, inputs: Mapping[str, object]) -> ScoreResult:
    """Score one issue without ranking it.

    Args:
        scorer: From `Scorer.from_settings`.
        ref: The issue.
        inputs: As for `assess`.

    Returns:
        A `scored` result with score, breakdown and tiebreak, or a `needs_input` result with problems.
    """
    outcome = assess(scorer, inputs)
    if isinstance(outcome, Scored):
        return ScoreResult(
            ref, ScoreStatus.SCORED, score=outcome.score, breakdown=outcome.breakdown, tiebreak=outcome.tiebreak
        )
    return ScoreResult(ref, ScoreStatus.NEEDS_INPUT, problems=outcome)
