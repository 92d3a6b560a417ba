"""`[scoring]` and `[wip]` sections: which model, its scales, word maps, buckets and WIP limits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

ModelName = Literal["rice", "ice", "wsjf", "weighted"]


class _Strict(BaseModel):
    # TOML has nan and inf literals; a NaN weight, word or threshold would make every issue fail or tie.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True)


class Criterion(_Strict):
    """One weighted-scoring criterion; `invert` for criteria where lower is better (cost, risk)."""

    name: str = Field(min_length=1)
    weight: float = Field(gt=0)
    min: float = 1
    max: float = 5
    invert: bool = False

    @model_validator(mode="after")
    def _scale(self) -> Criterion:
        if self.max <= self.min:
            raise ValueError(f"criterion {self.name!r}: max must be greater than min")
        return self


class Buckets(_Strict):
    """Now/Next/Later by rank share: the top `now` share is Now, the following `next` share is Next."""

    now: float = Field(default=0.2, ge=0, le=1)
    next: float = Field(default=0.3, ge=0, le=1)

    @model_validator(mode="after")
    def _sum(self) -> Buckets:
        if self.now + self.next > 1:
            raise ValueError("now + next must not exceed 1")
        return self


class MoSCoW(_Strict):
    """Score thresholds: score >= must -> Must, >= should -> Should, >= could -> Could, else Won't."""

    must: float
    should: float
    could: float

    @model_validator(mode="after")
    def _order(self) -> MoSCoW:
        if not self.must >= self.should >= self.could:
            raise ValueError("thresholds must satisfy must >= should >= could")
        return self


class ScoringSettings(_Strict):
    model: ModelName = "rice"
    scope: Literal["tracker", "all"] = "tracker"
    """Rank per tracker (default) or one ranking across all configured trackers."""
    ice_mode: Literal["product", "average"] = "product"
    buckets: Buckets = Buckets()
    moscow: MoSCoW | None = None
    bucket_style: Literal["now_next_later", "moscow"] = "now_next_later"
    words: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Per input, extra word -> number mappings (a Jira select option "High" -> 2); they extend the defaults."""
    criteria: list[Criterion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _weighted_needs_criteria(self) -> ScoringSettings:
        if self.model == "weighted" and not self.criteria:
            raise ValueError("model 'weighted' needs at least one [[scoring.criteria]] entry")
        if self.bucket_style == "moscow" and self.moscow is None:
            raise ValueError("bucket_style 'moscow' needs a [scoring.moscow] section with thresholds")
        names = [c.name for c in self.criteria]
        if len(set(names)) != len(names):
            raise ValueError("criteria names must be unique")
        return self


class WipSettings(_Strict):
    # A limit of 0 (or less) would put every in-progress item in breach and alert on all of them: not a limit.
    limits: dict[str, PositiveInt] = Field(default_factory=dict)
    """Per status (column) name: at most N items."""
    per_assignee: PositiveInt | None = None
    per_team: dict[str, PositiveInt] = Field(default_factory=dict)
    per_assignee_exclude_subtasks: bool = False
