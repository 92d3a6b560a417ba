"""Scoring one issue: read each input against its rule, then apply the framework's formula.

`Scorer` binds a framework to the configured word maps once, so scoring a whole backlog does not rebuild them
per issue. An issue with any unusable input is `needs_input` with one `Problem` per bad input; an issue whose
inputs are all usable gets a finite score and a `Breakdown`, or (if the arithmetic overflows) a problem too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from syncer.models import Breakdown, IssueRef, Problem, RawValue, ScoreResult, ScoreStatus
from syncer.scoring.frameworks import Framework, framework_for
from syncer.scoring.inputs import InputRule, format_number, parse_input
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


Read = tuple[float, RawValue, str]
"""One usable input: the number, the raw value as the breakdown records it, and the number as formulas show it."""


def _read(raw: object, rule: InputRule) -> Read | Problem:
    value = parse_input(raw, rule)
    if isinstance(value, Problem):
        return value
    # Other numeric types (Fraction, numpy scalars) are recorded as the float they became.
    return value, raw if isinstance(raw, _RAW_TYPES) else value, format_number(value)


ScoredEntry = tuple[float, float | None, IssueRef, Breakdown]
"""A scored issue from `assess_many`: score, tiebreak, issue, breakdown."""


def assess_many(
    scorer: Scorer, items: Iterable[tuple[IssueRef, Mapping[str, object]]]
) -> tuple[list[ScoredEntry], list[tuple[IssueRef, tuple[Problem, ...]]]]:
    """`assess` for a whole backlog, with the same outcome per issue, about twice as fast.

    A backlog repeats few distinct input values ("High", "80%", 3), so each distinct `str` or `int` value is
    read (and formatted for the formula) once per input and remembered for the batch. Only exact `str` and
    `int` are remembered: a bool equals 1 and -0.0 equals 0.0 as dict keys but they read differently, and a
    str subclass may hash or compare in its own way.

    Args:
        scorer: From `Scorer.from_settings`.
        items: (issue, inputs) pairs.

    Returns:
        The scored issues and the unscored ones with their problems, each list in the given order.
    """
    framework = scorer.framework
    memos: list[dict[object, Read | Problem]] = [{} for _ in scorer.rules]
    plan = tuple(zip(scorer.rules, scorer.names, memos, strict=True))
    names = scorer.names
    model, convert, compute = framework.name, framework.convert, framework.compute
    texts, explain, tiebreak = framework.explain_texts, framework.explain, framework.tiebreak
    isfinite = math.isfinite
    scored: list[ScoredEntry] = []
    unscored: list[tuple[IssueRef, tuple[Problem, ...]]] = []
    for ref, inputs in items:
        parsed: list[float] = []
        shown: list[str] = []
        raws: dict[str, RawValue] = {}
        problems: list[Problem] = []
        get = inputs.get
        for rule, name, memo in plan:
            raw = get(name)
            kind = type(raw)
            if kind is str or kind is int:
                read = memo.get(raw)
                if read is None:
                    read = memo[raw] = _read(raw, rule)
            else:
                read = _read(raw, rule)
            if type(read) is tuple:
                parsed.append(read[0])
                raws[name] = read[1]
                shown.append(read[2])
            else:
                problems.append(read)  # type: ignore[arg-type]
        if problems:
            unscored.append((ref, tuple(problems)))
            continue
        used = convert(parsed) if convert is not None else parsed
        score = compute(used)
        if not isfinite(score):
            unscored.append((ref, (_overflow_problem(framework, scorer.rules, parsed),)))
            continue
        score += 0.0  # as in `assess`
        formula = texts(shown, score) if texts is not None else explain(parsed, used, score)
        breakdown = Breakdown(model, formula, dict(zip(names, used, strict=True)), raws)
        scored.append((score, used[tiebreak] if tiebreak is not None else None, ref, breakdown))
    return scored, unscored


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
