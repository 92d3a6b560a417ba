"""The mass needs-input guard: a run that would tell most of a backlog "this input is missing" writes nothing.

A field mapping can be wrong in ways no check before the run sees (the field exists but is the wrong one, a
word map that reads nothing, a JQL that selects another project). What they all look like is one input missing
or invalid on most issues, and the write-back would then post the same needs-input comment on every one of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from syncer.models import IssueRef, ScoreResult
from syncer.settings.safety import SafetySettings


@dataclass(frozen=True, slots=True)
class MassNeedsInput:
    input: str
    count: int
    total: int


def mass_needs_input(results: Mapping[IssueRef, ScoreResult], safety: SafetySettings) -> MassNeedsInput | None:
    """The input missing or invalid on more than `max_needs_input_share` of these open issues (and on at least
    `min_needs_input` of them), the most widespread first; None when the backlog looks like a real one."""
    total = len(results)
    if total == 0:
        return None
    counts = Counter(name for result in results.values() for name in {p.input for p in result.problems})
    for name, count in counts.most_common():
        if count >= safety.min_needs_input and count / total > safety.max_needs_input_share:
            return MassNeedsInput(name, count, total)
    return None


def explain(found: MassNeedsInput, *, tracker: str, mapping: str | None, key: str, source: str | None) -> str:
    """The one-paragraph message: what was seen, which mapping to check, how to go ahead anyway."""
    share = 100 * found.count / found.total
    where = f" in {source}" if source else ""
    mapped = f'{key} = "{mapping}"{where}' if mapping else f"the field named {found.input!r} (no {key}{where})"
    return (
        f"{found.input} is missing or invalid on {found.count} of {found.total} open issues ({share:.0f} %), so "
        f"nothing was written to any tracker. Check {mapped} for tracker {tracker!r}. If the backlog really is "
        "mostly unscored (a first run), rerun with --allow-mass-needs-input or set "
        "[safety] allow_mass_needs_input = true"
    )
