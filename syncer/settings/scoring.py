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
    """The input name (mapped in `[trackers.inputs]`)."""
    weight: float = Field(gt=0)
    """Relative weight (> 0)."""
    min: float = 1
    """Smallest value on this criterion's scale."""
    max: float = 5
    """Largest value on this criterion's scale."""
    invert: bool = False
    """Lower is better (cost, risk): value' = max + min - value."""

    @model_validator(mode="after")
    def _scale(self) -> Criterion:
        if self.max <= self.min:
            raise ValueError(f"criterion {self.name!r}: max must be greater than min")
        return self


class Buckets(_Strict):
    """Now/Next/Later by rank share: the top `now` share is Now, the following `next` share is Next."""

    now: float = Field(default=0.2, ge=0, le=1)
    """Share of ranked issues in Now (the top)."""
    next: float = Field(default=0.3, ge=0, le=1)
    """Share of ranked issues in Next (after Now); the rest is Later."""

    @model_validator(mode="after")
    def _sum(self) -> Buckets:
        if self.now + self.next > 1:
            raise ValueError("now + next must not exceed 1")
        return self


class MoSCoW(_Strict):
    """Score thresholds: score >= must -> Must, >= should -> Should, >= could -> Could, else Won't."""

    must: float
    """Score at or above which an issue is Must."""
    should: float
    """Score at or above which an issue is Should."""
    could: float
    """Score at or above which an issue is Could; below it, Won't."""

    @model_validator(mode="after")
    def _order(self) -> MoSCoW:
        if not self.must >= self.should >= self.could:
            raise ValueError("thresholds must satisfy must >= should >= could")
        return self


class ScoringSettings(_Strict):
    model: ModelName = "rice"
    """Scoring model: `rice`, `ice`, `wsjf` or `weighted`."""
    scope: Literal["tracker", "all"] = "tracker"
    """Rank per tracker (default) or one ranking across all configured trackers."""
    ice_mode: Literal["product", "average"] = "product"
    """ICE: multiply impact, confidence and ease (`product`) or take their mean (`average`)."""
    buckets: Buckets = Buckets()
    """Now / Next / Later by rank share."""
    moscow: MoSCoW | None = None
    """MoSCoW score thresholds (with `bucket_style = "moscow"`)."""
    bucket_style: Literal["now_next_later", "moscow"] = "now_next_later"
    """Buckets by rank share (`now_next_later`) or by score thresholds (`moscow`)."""
    words: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Per input, extra word -> number mappings (a Jira select option "High" -> 2); they extend the defaults."""
    criteria: list[Criterion] = Field(default_factory=list)
    """The criteria of the `weighted` model."""

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
    """Any one person: at most N in-progress items."""
    per_team: dict[str, PositiveInt] = Field(default_factory=dict)
    """Per team key: at most N in-progress items."""
    per_assignee_exclude_subtasks: bool = False
    """Leave sub-tasks out of the per-assignee count."""
