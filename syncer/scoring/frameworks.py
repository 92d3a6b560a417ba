"""The four scoring frameworks: which inputs each needs, its formula, and how it explains a score.

A `Framework` is data plus two small functions; `evaluate` in `syncer.scoring.engine` does the parsing and
validation for all of them, so a framework never sees a missing or out-of-scale value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from syncer.scoring.inputs import InputRule, format_number
from syncer.settings.scoring import Criterion, ScoringSettings

Convert = Callable[[Sequence[float]], Sequence[float]]
Compute = Callable[[Sequence[float]], float]
Explain = Callable[[Sequence[float], Sequence[float], float], str]
ExplainTexts = Callable[[Sequence[str], float], str]
ComputeColumns = Callable[[Sequence[Sequence[float]]], list[float]]


@dataclass(frozen=True, slots=True)
class Framework:
    """One scoring model.

    Attributes:
        name: Shown in breakdowns ("RICE").
        rules: One rule per input, in formula order.
        compute: Values as the formula uses them (in rule order) -> score.
        explain: Parsed values, used values and score -> formula text with the numbers.
        convert: Parsed values (in the inputs' own units) -> values as the formula uses them (a percentage
            as a fraction, an inverted criterion inverted); None when they are the same.
        tiebreak: Index of the input whose lower value wins a tie in score, if any.
        explain_texts: The same formula text from the parsed values already formatted with `format_number`;
            batch scoring formats each distinct raw value once instead of once per issue. None when the text
            needs more than the parsed values (weighted shows the inverted values too).
        compute_columns: Parsed values input by input (one column per rule, in rule order) -> the score of
            every row, with exactly the arithmetic of `compute(convert(row))`; batch scoring uses it to avoid two
            Python calls per issue. None: batch scoring calls `convert` and `compute` per row.

    `convert` never changes the tiebreak input, so batch scoring reads tiebreaks from the parsed values.
    """

    name: str
    rules: tuple[InputRule, ...]
    compute: Compute
    explain: Explain
    convert: Convert | None = None
    tiebreak: int | None = None
    explain_texts: ExplainTexts | None = None
    compute_columns: ComputeColumns | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.rules)


def format_score(score: float) -> str:
    """A score as people read it: two decimals, or compact when huge (the stored score stays exact)."""
    return f"{score:.2f}" if abs(score) < 1e15 else f"{score:.6g}"


_n = format_number

RICE_IMPACT_WORDS = MappingProxyType({"massive": 3.0, "high": 2.0, "medium": 1.0, "low": 0.5, "minimal": 0.25})
RICE_CONFIDENCE_WORDS = MappingProxyType({"high": 100.0, "medium": 80.0, "low": 50.0})


def _rice_convert(v: Sequence[float]) -> Sequence[float]:
    return (v[0], v[1], v[2] / 100.0, v[3])


def _rice_compute(v: Sequence[float]) -> float:
    return v[0] * v[1] * v[2] / v[3]


def _rice_columns(c: Sequence[Sequence[float]]) -> list[float]:
    return [r * i * (p / 100.0) / e for r, i, p, e in zip(*c, strict=True)]


def _rice_texts(t: Sequence[str], score: float) -> str:
    return f"RICE = reach {t[0]} × impact {t[1]} × confidence {t[2]}% ÷ effort {t[3]} = {format_score(score)}"


def _rice_explain(v: Sequence[float], _used: Sequence[float], score: float) -> str:
    return _rice_texts([_n(x) for x in v], score)


RICE = Framework(
    name="RICE",
    rules=(
        InputRule("reach"),
        InputRule("impact", words=RICE_IMPACT_WORDS),
        InputRule("confidence", maximum=100.0, percent=True, words=RICE_CONFIDENCE_WORDS),
        InputRule("effort", divisor=True),
    ),
    compute=_rice_compute,
    explain=_rice_explain,
    convert=_rice_convert,
    tiebreak=3,
    explain_texts=_rice_texts,
    compute_columns=_rice_columns,
)

_ICE_RULES = tuple(InputRule(name, minimum=1.0, maximum=10.0) for name in ("impact", "confidence", "ease"))


def _ice_product(v: Sequence[float]) -> float:
    return v[0] * v[1] * v[2]


def _ice_average(v: Sequence[float]) -> float:
    return (v[0] + v[1] + v[2]) / 3.0


def _ice_product_columns(c: Sequence[Sequence[float]]) -> list[float]:
    return [i * f * e for i, f, e in zip(*c, strict=True)]


def _ice_average_columns(c: Sequence[Sequence[float]]) -> list[float]:
    return [(i + f + e) / 3.0 for i, f, e in zip(*c, strict=True)]


def _ice_product_texts(t: Sequence[str], score: float) -> str:
    return f"ICE = impact {t[0]} × confidence {t[1]} × ease {t[2]} = {format_score(score)}"


def _ice_average_texts(t: Sequence[str], score: float) -> str:
    return f"ICE = (impact {t[0]} + confidence {t[1]} + ease {t[2]}) ÷ 3 = {format_score(score)}"


def _ice_product_explain(v: Sequence[float], _used: Sequence[float], score: float) -> str:
    return _ice_product_texts([_n(x) for x in v], score)


def _ice_average_explain(v: Sequence[float], _used: Sequence[float], score: float) -> str:
    return _ice_average_texts([_n(x) for x in v], score)


# Higher ease is the easier item, so ICE has no "lower wins" input and ties go straight to the key.
ICE_PRODUCT = Framework(
    "ICE",
    _ICE_RULES,
    _ice_product,
    _ice_product_explain,
    explain_texts=_ice_product_texts,
    compute_columns=_ice_product_columns,
)
ICE_AVERAGE = Framework(
    "ICE",
    _ICE_RULES,
    _ice_average,
    _ice_average_explain,
    explain_texts=_ice_average_texts,
    compute_columns=_ice_average_columns,
)


def _wsjf_compute(v: Sequence[float]) -> float:
    return (v[0] + v[1] + v[2]) / v[3]


def _wsjf_columns(c: Sequence[Sequence[float]]) -> list[float]:
    return [(b + t + r) / j for b, t, r, j in zip(*c, strict=True)]


def _wsjf_texts(t: Sequence[str], score: float) -> str:
    return (
        f"WSJF = (business value {t[0]} + time criticality {t[1]} + risk reduction {t[2]})"
        f" ÷ job size {t[3]} = {format_score(score)}"
    )


def _wsjf_explain(v: Sequence[float], _used: Sequence[float], score: float) -> str:
    return _wsjf_texts([_n(x) for x in v], score)


WSJF = Framework(
    name="WSJF",
    rules=(
        InputRule("business_value"),
        InputRule("time_criticality"),
        InputRule("risk_reduction"),
        InputRule("job_size", divisor=True),
    ),
    compute=_wsjf_compute,
    explain=_wsjf_explain,
    tiebreak=3,
    explain_texts=_wsjf_texts,
    compute_columns=_wsjf_columns,
)


def weighted(criteria: Sequence[Criterion]) -> Framework:
    """The weighted-criteria framework for the configured criteria.

    Each value must lie on its criterion's [min, max] scale. An inverted criterion (lower is better, such as
    cost) counts as `max + min - value`. The score is `sum(weight * value) / sum(weight)`, so it stays on the
    criteria's scale whatever the weights add up to.
    """
    crits = tuple(criteria)
    total = sum(c.weight for c in crits)

    def convert(v: Sequence[float]) -> Sequence[float]:
        return [c.max + c.min - x if c.invert else x for c, x in zip(crits, v, strict=True)]

    def compute(v: Sequence[float]) -> float:
        return sum(c.weight * x for c, x in zip(crits, v, strict=True)) / total

    def explain(v: Sequence[float], used: Sequence[float], score: float) -> str:
        terms = []
        for c, raw, x in zip(crits, v, used, strict=True):
            shown = f"{_n(x)} (inverted from {_n(raw)})" if c.invert else _n(x)
            terms.append(f"{_n(c.weight)} × {c.name} {shown}")
        return f"Weighted = ({' + '.join(terms)}) ÷ {_n(total)} = {format_score(score)}"

    rules = tuple(InputRule(c.name, minimum=c.min, maximum=c.max) for c in crits)
    inverts = any(c.invert for c in crits)
    return Framework("Weighted", rules, compute, explain, convert if inverts else None)


def framework_for(settings: ScoringSettings) -> Framework:
    """The framework `settings.model` names, with the configured ICE mode or criteria."""
    if settings.model == "rice":
        return RICE
    if settings.model == "ice":
        return ICE_AVERAGE if settings.ice_mode == "average" else ICE_PRODUCT
    if settings.model == "wsjf":
        return WSJF
    return weighted(settings.criteria)
