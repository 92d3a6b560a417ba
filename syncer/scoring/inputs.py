"""Turning one raw tracker value into a usable number, or into a `Problem` that says what is wrong.

A raw value can be a number, a numeric string ("1.5", " 1e3 "; only "." decimals, since "1,5" could be a
decimal comma or a thousands separator), a percentage ("80%", for inputs that take one) or a word from the
input's word map ("High"). Anything else (booleans, NaN, infinities, values outside the input's scale,
objects of any other type) becomes a `Problem`. Nothing here raises on arbitrary input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real
from types import MappingProxyType

from syncer.models import Problem

_NO_WORDS: Mapping[str, float] = MappingProxyType({})
_INF = math.inf
# A tuple, not `int | float | Real` (rebuilt on every call); int and float come first because the ABC check
# for other numeric types (Fraction, numpy scalars) is the slow part.
_NUMERIC = (int, float, Real)
_SHOWN_MAX = 40


def normalise_word(word: str) -> str:
    """The form words are matched in: surrounding spaces removed, case folded."""
    return word.strip().casefold()


def format_number(value: float) -> str:
    """A number as people read it in formulas and messages: 3 not 3.0, 0.1 + 0.2 as 0.3, huge values compact."""
    return f"{value:.15g}"


@dataclass(frozen=True, slots=True)
class InputRule:
    """What one logical input accepts.

    Attributes:
        name: The logical input name, used in problems and breakdowns.
        minimum: Smallest accepted value (inclusive).
        maximum: Largest accepted value (inclusive).
        divisor: The value divides the score, so it must be greater than 0.
        percent: The value is a percentage; a trailing "%" is allowed.
        words: Word (normalised) -> number, in the input's own units (percent for percentages).
    """

    name: str
    minimum: float = 0.0
    maximum: float = math.inf
    divisor: bool = False
    percent: bool = False
    words: Mapping[str, float] = field(default_factory=lambda: _NO_WORDS)

    def with_words(self, extra: Mapping[str, float] | None) -> InputRule:
        """A copy whose word map is extended (and overridden) by `extra`, matched case-insensitively."""
        if not extra:
            return self
        merged = dict(self.words)
        merged.update({normalise_word(w): float(n) for w, n in extra.items()})
        return InputRule(self.name, self.minimum, self.maximum, self.divisor, self.percent, merged)

    @property
    def bound(self) -> str:
        """The accepted range as a phrase: "0 or more", "from 1 to 10", ..."""
        unit = "%" if self.percent else ""
        if self.divisor:
            return "greater than 0 (it divides the score)"
        if math.isinf(self.maximum):
            return f"{format_number(self.minimum)}{unit} or more"
        return f"from {format_number(self.minimum)} to {format_number(self.maximum)}{unit}"

    @property
    def expected(self) -> str:
        """Everything the input accepts, for messages about missing or unreadable values."""
        if self.percent:
            text = f"a percentage {self.bound} (e.g. 80 or 80%)"
        elif math.isinf(self.maximum) and not self.divisor:
            text = f"a number of {self.bound}"  # "a number of 0 or more"
        else:
            text = f"a number {self.bound}"  # "a number from 1 to 10", "a number greater than 0 (...)"
        if self.words:
            text += f", or one of: {', '.join(self.words)}"
        return text

    def shown(self, value: float) -> str:
        return format_number(value) + ("%" if self.percent else "")


def _show_raw(raw: object) -> str:
    """A short, safe rendering of an unreadable value; a hostile __repr__ must not break scoring."""
    try:
        text = repr(raw)
    except Exception:
        text = f"<{type(raw).__name__}>"
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _from_text(text: str, rule: InputRule) -> float | Problem:
    # str.strip(text), not text.strip(): a str subclass may override strip; the result is a plain str.
    stripped = str.strip(text)
    if not stripped:
        return Problem(rule.name, f"{rule.name} is missing; expected {rule.expected}")
    mapped = rule.words.get(stripped.casefold())
    if mapped is not None:
        return mapped
    number = stripped[:-1].rstrip() if rule.percent and stripped.endswith("%") else stripped
    # float() also reads "1_000" and non-ASCII digits, which no tracker means as numbers; without those it
    # accepts exactly decimal notation ("12", "-1.5", ".5", "1e3") plus nan/inf, which are rejected below.
    if number.isascii() and "_" not in number:
        try:
            return float(number)
        except ValueError:
            pass
    if rule.words:
        message = f"{rule.name} {_show_raw(text)} is not a number or one of: {', '.join(rule.words)}"
    else:
        message = f"{rule.name} {_show_raw(text)} is not a number; expected {rule.expected}"
    return Problem(rule.name, message)


def _not_a_number(raw: object, rule: InputRule) -> Problem:
    if raw is None:
        return Problem(rule.name, f"{rule.name} is missing; expected {rule.expected}")
    # bool is an int subclass, but True/False in a tracker field is a checkbox, never a quantity.
    if isinstance(raw, bool):
        return Problem(rule.name, f"{rule.name} is {raw} (a yes/no value), not a number; expected {rule.expected}")
    return Problem(rule.name, f"{rule.name} {_show_raw(raw)} is not a number; expected {rule.expected}")


def parse_input(raw: object, rule: InputRule) -> float | Problem:
    """Read one input against its rule.

    Args:
        raw: The value as the tracker or file holds it; any object is accepted.
        rule: What the input accepts.

    Returns:
        The number in the input's own units (a percentage stays 0-100), or a `Problem` naming the input, what
        was wrong and what is accepted.
    """
    value: float | Problem
    if isinstance(raw, str):
        value = _from_text(raw, rule)
        if isinstance(value, Problem):
            return value
    elif isinstance(raw, _NUMERIC) and not isinstance(raw, bool):
        try:
            value = float(raw)
        except OverflowError:  # an int beyond the float range
            value = math.inf
        except Exception:  # a foreign numeric type's __float__ may fail in any way
            return _not_a_number(raw, rule)
    else:
        return _not_a_number(raw, rule)
    # One chained comparison for the common, valid case; NaN fails every comparison, so it lands below too.
    if -_INF < value < _INF and rule.minimum <= value <= rule.maximum and (value > 0 or not rule.divisor):
        return value
    return _out_of_range(value, rule)


def _out_of_range(value: float, rule: InputRule) -> Problem:
    if math.isnan(value):
        return Problem(rule.name, f"{rule.name} is NaN; expected {rule.expected}")
    if math.isinf(value):
        return Problem(rule.name, f"{rule.name} is infinite or too large; expected {rule.expected}")
    return Problem(rule.name, f"{rule.name} is {rule.shown(value)}; it must be {rule.bound}")
