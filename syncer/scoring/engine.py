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

import numpy as np

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


class _Memo(dict[object, "Read | Problem"]):
    """One input's reads of one exact type (str, int or float), each distinct value read once per batch."""

    def __init__(self, rule: InputRule, floats: bool = False) -> None:
        super().__init__()
        self.rule = rule
        self.floats = floats

    def __missing__(self, raw: object) -> Read | Problem:
        read = _read(raw, self.rule)
        # 0.0 and -0.0 are one dict key but read differently ("-0" in the formula, -0.0 in the breakdown).
        if not self.floats or raw:
            self[raw] = read
        return read


class _Unmemoised:
    """Reads values of any other type (None, bool, Fraction, a str subclass...) one by one, remembering nothing."""

    def __init__(self, rule: InputRule) -> None:
        self.rule = rule

    def __getitem__(self, raw: object) -> Read | Problem:
        return _read(raw, self.rule)


def _read_column(raws: list[object], rule: InputRule) -> list[Read | Problem]:
    # Separate memories per exact type: True == 1 == 1.0 as dict keys, but they read differently. Exact types
    # only, so no str subclass's own __hash__ or __eq__ runs.
    memo = {str: _Memo(rule), int: _Memo(rule), float: _Memo(rule, floats=True)}.get
    other = _Unmemoised(rule)
    return [memo(type(raw), other)[raw] for raw in raws]


class ScoredBatch:
    """A batch as `assess_many` read it, input by input; also the source of its deferred breakdowns.

    Lists are in the given order and cover every issue of the batch; `scored` says which positions scored.
    """

    __slots__ = ("_last", "columns", "framework", "names", "refs", "scored", "scores", "tiebreaks")

    def __init__(
        self,
        framework: Framework,
        names: tuple[str, ...],
        refs: list[IssueRef],
        columns: list[list[Read | Problem]],
        scores: list[float],
        scored: list[int],
        tiebreaks: list[float] | None,
    ) -> None:
        self.framework = framework
        self.names = names
        self.refs = refs
        self.columns = columns
        """Per rule, every issue's read."""
        self.scores = scores
        """Per issue, its score (meaningless where the issue did not score)."""
        self.scored = scored
        """The positions of the issues that scored, ascending."""
        self.tiebreaks = tiebreaks
        """Per issue, the value whose lower wins a tie in score; None when the model has none."""
        self._last: tuple[int, tuple[str, dict[str, float], dict[str, RawValue]]] | None = None

    def explain(self, index: int) -> tuple[str, dict[str, float], dict[str, RawValue]]:
        """What `assess` puts in the breakdown of the issue at `index` (one that scored). The last answer is
        remembered: a reader usually asks for the formula, the values and the raw values of one issue in a row."""
        last = self._last
        if last is not None and last[0] == index:
            return last[1]
        explained = self._explain(index)
        self._last = (index, explained)
        return explained

    def _explain(self, index: int) -> tuple[str, dict[str, float], dict[str, RawValue]]:
        framework, score = self.framework, self.scores[index]
        row: list[Read] = [column[index] for column in self.columns]  # type: ignore[misc]
        parsed = [read[0] for read in row]
        used = framework.convert(parsed) if framework.convert is not None else parsed
        if framework.explain_texts is not None:
            formula = framework.explain_texts([read[2] for read in row], score)
        else:
            formula = framework.explain(parsed, used, score)
        values = dict(zip(self.names, used, strict=True))
        return formula, values, {name: read[1] for name, read in zip(self.names, row, strict=True)}


Unscored = list[tuple[IssueRef, tuple[Problem, ...]]]
_NAN = math.nan


def assess_many(scorer: Scorer, items: Iterable[tuple[IssueRef, Mapping[str, object]]]) -> tuple[ScoredBatch, Unscored]:
    """`assess` for a whole backlog, with the same outcome per issue, several times faster.

    Works input by input over the whole batch rather than issue by issue: a backlog repeats few distinct input
    values ("High", "80%", 3), so each distinct str, int or float value is read (and formatted for the
    formula) once per input and remembered for the batch; scores are computed column-wise
    (`Framework.compute_columns`); the formula text and breakdown mappings are built only when read
    (`ScoredBatch.explain`, through `Breakdown.deferred`).

    Args:
        scorer: From `Scorer.from_settings`.
        items: (issue, inputs) pairs.

    Returns:
        The batch, and the issues that did not score with their problems, in the given order.
    """
    framework = scorer.framework
    if not scorer.rules:
        raise ValueError(f"the {framework.name} model has no inputs")
    pairs = list(items)
    refs = [ref for ref, _ in pairs]
    maps = [inputs for _, inputs in pairs]
    del pairs
    columns = [
        _read_column([inputs.get(name) for inputs in maps], rule)
        for rule, name in zip(scorer.rules, scorer.names, strict=True)
    ]
    # A usable value is never NaN (parse_input refuses it), so NaN marks an unusable one.
    numbers = [[read[0] if type(read) is tuple else _NAN for read in column] for column in columns]
    unusable = np.zeros(len(refs), dtype=bool)
    for column_numbers in numbers:
        unusable |= np.isnan(np.asarray(column_numbers, dtype=np.float64))
    if framework.compute_columns is not None:
        # NaN flows through the arithmetic harmlessly; those rows are dropped below.
        computed = framework.compute_columns(numbers)
    else:
        convert, compute = framework.convert, framework.compute
        rows = [list(row) for row in zip(*numbers, strict=True)]
        computed = [
            _NAN if bad else compute(convert(row) if convert is not None else row)
            for bad, row in zip(unusable.tolist(), rows, strict=True)
        ]
    # + 0.0 turns -0.0 into 0.0, so a zero score never prints as "-0.00".
    score_array = np.asarray(computed, dtype=np.float64) + 0.0
    finite = np.isfinite(score_array)
    unscored: Unscored = []
    for i in np.flatnonzero(unusable | ~finite).tolist():
        if unusable[i]:
            unscored.append((refs[i], tuple([c[i] for c in columns if type(c[i]) is Problem])))  # type: ignore[misc]
        else:
            parsed = [column_numbers[i] for column_numbers in numbers]
            unscored.append((refs[i], (_overflow_problem(framework, scorer.rules, parsed),)))
    tiebreak = framework.tiebreak
    batch = ScoredBatch(
        framework,
        scorer.names,
        refs,
        columns,
        score_array.tolist(),
        np.flatnonzero(finite & ~unusable).tolist(),
        None if tiebreak is None else numbers[tiebreak],
    )
    return batch, unscored


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
