"""`syncer init`: discover a tracker's candidate fields, propose a mapping for the model, write a commented config.

This module is pure: candidates and the proposal from what discovery found. I/O lives in `discover.py` (the
tracker) and `render.py` (the TOML text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

PATTERNS: Mapping[str, tuple[str, ...]] = {
    "reach": ("reach", "audience", "users affected"),
    "impact": ("impact",),
    "confidence": ("confidence",),
    "effort": ("effort", "story points", "story point estimate", "estimate", "size"),
    "ease": ("ease",),
    "business_value": ("business value", "user business value", "value"),
    "time_criticality": ("time criticality", "time-criticality", "urgency"),
    "risk_reduction": ("risk reduction", "opportunity enablement", "rr/oe", "rroe"),
    "job_size": ("job size", "story points", "story point estimate", "size", "effort"),
}
"""Field names (lower case) that suggest each input, best first."""
_WORDS = re.compile(r"[^a-z0-9/]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A field (Jira), label group or built-in (Linear) that could feed an input."""

    spec: str
    """What goes in `[trackers.inputs]`: a field name, `label:Impact`, `estimate`, ..."""
    label: str
    """How it is shown: `'Story Points' (customfield_10016, number)`."""
    name: str
    """The name matched against the patterns."""


@dataclass
class Proposal:
    """The mapping proposed for each input of the model, and the candidates each was chosen from."""

    inputs: dict[str, Candidate] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)


def _norm(text: str) -> str:
    return _WORDS.sub(" ", text.casefold()).strip()


def match_rank(name: str, input_name: str) -> int | None:
    """How well a field name suggests an input: 0 exact, higher is weaker; None when it does not."""
    normal = _norm(name)
    for position, pattern in enumerate(PATTERNS.get(input_name, (input_name.replace("_", " "),))):
        wanted = _norm(pattern)
        if normal == wanted:
            return position * 3
        if normal.startswith(wanted + " ") or normal.endswith(" " + wanted):
            return position * 3 + 1
        if f" {wanted} " in f" {normal} ":
            return position * 3 + 2
    return None


def propose(
    inputs: Sequence[str], found: Sequence[Candidate], overrides: Mapping[str, str], by_spec: Mapping[str, Candidate]
) -> Proposal:
    """For each input: an override (`--map`), else the best-matching candidate not already taken.

    Args:
        inputs: The model's inputs.
        found: Every candidate discovered.
        overrides: `--map input=FIELD` pairs, already resolved to specs.
        by_spec: Candidates by spec (to show an override's label).
    """
    proposal = Proposal()
    taken: set[str] = set(overrides.values())
    for name in inputs:
        ranked = sorted(
            ((rank, c) for c in found if (rank := match_rank(c.name, name)) is not None), key=lambda pair: pair[0]
        )
        proposal.candidates[name] = [c for _, c in ranked]
        if name in overrides:
            spec = overrides[name]
            proposal.inputs[name] = by_spec.get(spec, Candidate(spec, repr(spec), spec))
            continue
        choice = next((c for _, c in ranked if c.spec not in taken), None)
        if choice is None:
            proposal.missing.append(name)
        else:
            proposal.inputs[name] = choice
            taken.add(choice.spec)
    return proposal
