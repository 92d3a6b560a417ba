"""The commented `syncer.toml` that `syncer init` writes (TOML by hand: comments are the point)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from syncer.init import Proposal


def q(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class Plan:
    """Everything the config says, as chosen (flags, prompts or proposals)."""

    kind: str
    name: str
    model: str
    proposal: Proposal
    tracker: dict[str, object] = field(default_factory=dict)
    """Ordered `[[trackers]]` keys -> values (strings, ints, bools, lists of strings)."""
    comments: dict[str, str] = field(default_factory=dict)
    """Key -> end-of-line comment."""
    outputs: dict[str, object] = field(default_factory=dict)
    output_comments: dict[str, str] = field(default_factory=dict)
    header: Sequence[str] = ()


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(q(str(v)) for v in value) + "]"
    return q(str(value))


def _lines(values: Mapping[str, object], comments: Mapping[str, str]) -> list[str]:
    out = []
    for key, value in values.items():
        line = f"{key} = {_value(value)}"
        comment = comments.get(key)
        out.append(f"{line:<44} # {comment}" if comment else line)
    return out


def render(plan: Plan) -> str:
    lines = [f"# {h}" if h else "#" for h in plan.header]
    lines += [
        "# Check it with `syncer doctor`, preview with `syncer plan`, then `syncer run`.",
        "",
        "[[trackers]]",
        *_lines({"name": plan.name, "kind": plan.kind, **plan.tracker}, plan.comments),
        "",
        "[trackers.inputs]                            # logical input -> where it is read",
    ]
    for name, candidate in plan.proposal.inputs.items():
        lines.append(f"{name} = {q(candidate.spec):<36} # {candidate.label}")
    for name in plan.proposal.missing:
        lines.append(f'# {name} = "?"                               # no candidate found: set it (required)')
    lines += [
        "",
        "[trackers.outputs]                           # where results go",
        *_lines(plan.outputs, plan.output_comments),
        "",
        "[scoring]",
        f"model = {q(plan.model)}",
        "buckets = { now = 0.2, next = 0.3 }          # top 20 % Now, the next 30 % Next, the rest Later",
        "",
        "[state]                                      # runs, history, alert episodes; PostgreSQL in the cloud",
        'url = "sqlite:///.syncer/state.db"',
        "",
    ]
    return "\n".join(lines)
