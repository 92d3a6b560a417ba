"""Input specs: where each logical scoring input (reach, impact, ...) lives on a Linear issue.

Linear has no custom fields, so inputs come from what Linear does have:

    estimate               the estimate as comparable effort points (see `estimates.py`)
    priority               the priority word: Urgent, High, Medium, Low (0 "No priority" is missing);
                           words, not Linear's numbers, because 1 is the *most* urgent there
    customer_needs         the number of customer needs (requests) linked to the issue
    label:<Group>          the issue's label in the label group <Group> (children of a group are exclusive),
                           e.g. "label:Impact" gives "High"; the scoring engine maps the word
    label_prefix:<prefix>  the rest of a label that starts with <prefix>, e.g. "label_prefix:reach=" and a
                           label "reach=500" give "500"
    description:<Name>     a line "<Name>: value" inside a fenced ```syncer block of the description

Values are raw (numbers or strings); the scoring engine parses words and percentages and reports problems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.errors import TrackerConfigError
from connectors.linear.estimates import EstimateScale
from syncer.models import RawValue

BUILT_INS = ("estimate", "priority", "customer_needs")
PREFIXED = ("label", "label_prefix", "description")
PRIORITY_WORDS = {1: "Urgent", 2: "High", 3: "Medium", 4: "Low"}
_FENCE = re.compile(r"^[ \t]*```[ \t]*syncer[ \t]*\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL | re.IGNORECASE)
_LINE = re.compile(r"^\s*([^:=]+?)\s*[:=]\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One logical input and where to read it (`kind` is a built-in or a prefixed kind; `arg` its argument)."""

    input: str
    kind: str
    arg: str = ""


def parse_spec(name: str, text: str) -> InputSpec:
    """Parse `[trackers.inputs] <name> = "<text>"`; raises ValueError with a message for people."""
    spec = text.strip()
    if spec in BUILT_INS:
        return InputSpec(name, spec)
    kind, sep, arg = spec.partition(":")
    if sep and kind in PREFIXED and arg.strip():
        return InputSpec(name, kind, arg if kind == "label_prefix" else arg.strip())
    known = ", ".join([*BUILT_INS, "label:<group>", "label_prefix:<prefix>", "description:<Name>"])
    raise ValueError(f"unknown Linear input {text!r} for {name!r}; use one of: {known}")


def parse_specs(inputs: Mapping[str, str], tracker: str) -> tuple[InputSpec, ...]:
    """All of a tracker's input specs; a bad one is a configuration error naming its key."""
    specs = []
    for name, text in inputs.items():
        try:
            specs.append(parse_spec(name, text))
        except ValueError as exc:
            raise TrackerConfigError(f"tracker {tracker!r}: inputs.{name}: {exc}") from exc
    return tuple(specs)


def needs_fields(specs: Sequence[InputSpec]) -> dict[str, bool]:
    """The `@include` switches of the issue query these specs need."""
    kinds = {s.kind for s in specs}
    return {
        "withEstimate": "estimate" in kinds,
        "withPriority": "priority" in kinds,
        "withDescription": "description" in kinds,
        "withNeeds": "customer_needs" in kinds,
    }


def description_values(description: str | None) -> dict[str, str]:
    """`Name: value` lines of every ```syncer block, keyed by the case-folded name (the first one wins)."""
    values: dict[str, str] = {}
    for block in _FENCE.findall(description or ""):
        for line in block.splitlines():
            match = _LINE.match(line)
            if match:
                values.setdefault(match.group(1).casefold(), match.group(2))
    return values


@dataclass(frozen=True, slots=True)
class IssueLabels:
    """An issue's labels as (name, group name or None) pairs."""

    pairs: tuple[tuple[str, str | None], ...]

    def in_group(self, group: str) -> list[str]:
        folded = group.casefold()
        return [name for name, parent in self.pairs if parent is not None and parent.casefold() == folded]

    def with_prefix(self, prefix: str) -> list[str]:
        folded = prefix.casefold()
        return [name[len(prefix) :].strip() for name, _ in self.pairs if name.casefold().startswith(folded)]


def _one(values: list[str]) -> RawValue:
    # Two different values (two "reach=" labels) are passed on joined, so the engine reports them as unreadable
    # instead of the worker silently picking one.
    distinct = list(dict.fromkeys(values))
    if not distinct:
        return None
    return distinct[0] if len(distinct) == 1 else ", ".join(distinct)


def read_input(
    spec: InputSpec, node: Mapping[str, Any], labels: IssueLabels, scale: EstimateScale, needs: int | None
) -> RawValue:
    """The raw value of one input on one issue (None when the issue does not have it)."""
    if spec.kind == "estimate":
        estimate = node.get("estimate")
        return scale.comparable(float(estimate)) if estimate is not None else None
    if spec.kind == "priority":
        return PRIORITY_WORDS.get(int(node.get("priority") or 0))
    if spec.kind == "customer_needs":
        return needs
    if spec.kind == "label":
        return _one(labels.in_group(spec.arg))
    if spec.kind == "label_prefix":
        return _one(labels.with_prefix(spec.arg))
    value = description_values(node.get("description")).get(spec.arg.casefold())
    return value if value else None
