"""`[safety]`: the last line of defence against a configuration that would write the same noise everywhere."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SafetySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True)

    max_needs_input_share: float = Field(default=0.5, gt=0, le=1)
    """A run where one input is missing or invalid on more than this share of a tracker's open issues writes
    nothing and exits 2: a wrong field mapping looks exactly like that, and would comment on every issue."""
    min_needs_input: int = Field(default=5, ge=1)
    """...and on at least this many issues (a five-issue backlog with three unestimated items is normal)."""
    allow_mass_needs_input: bool = False
    """Write anyway (a first run on a backlog that really is mostly unscored); also `--allow-mass-needs-input`."""
