"""Team estimate scales and the mapping from a stored estimate to comparable effort points.

Each Linear team picks a scale (`Team.issueEstimationType`), and the estimate is stored as a number on it:

    exponential  1, 2, 4, 8, 16   (extended: 32, 64)
    fibonacci    1, 2, 3, 5, 8    (extended: 13, 21)
    linear       1, 2, 3, 4, 5    (extended: 6, 7)
    tShirt       1, 2, 3, 5, 8    (extended: 13, 21)  shown as XS, S, M, L, XL, XXL, XXXL

(scales per Linear's estimates page as quoted in third-party code; the t-shirt numbers are reported, not
documented). The same number means different effort on different scales: 8 is the fourth step on an exponential
team and the fifth on a fibonacci one. So the k-th step of every scale becomes the k-th Fibonacci point
1, 2, 3, 5, 8, 13, 21: an exponential 16 and a linear 5 both become 8, a fibonacci or t-shirt value is kept.
Values between steps are interpolated, values beyond the last step scale proportionally, 0 (teams that allow
zero) stays 0, and a team that does not use estimates passes the number through unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMPARABLE = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0)
SCALES: Mapping[str, tuple[float, ...]] = {
    "exponential": (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0),
    "fibonacci": (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0),
    "linear": (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0),
    "tShirt": (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0),
}
BASE_STEPS = 5
"""Steps on a scale that is not extended; extended scales add two."""


def _interpolate(value: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    if value <= xs[0]:
        return value * ys[0] / xs[0]
    for (x0, y0), (x1, y1) in zip(zip(xs, ys, strict=True), zip(xs[1:], ys[1:], strict=True), strict=True):
        if value <= x1:
            return y0 + (value - x0) * (y1 - y0) / (x1 - x0)
    return value * ys[-1] / xs[-1]


@dataclass(frozen=True, slots=True)
class EstimateScale:
    """One team's estimate settings."""

    kind: str
    extended: bool = False
    allow_zero: bool = False

    @classmethod
    def of(cls, team: Mapping[str, Any]) -> EstimateScale:
        """From a Team object (`issueEstimationType`, `issueEstimationExtended`, `issueEstimationAllowZero`)."""
        return cls(
            str(team.get("issueEstimationType") or "notUsed"),
            bool(team.get("issueEstimationExtended")),
            bool(team.get("issueEstimationAllowZero")),
        )

    @property
    def used(self) -> bool:
        return self.kind in SCALES

    @property
    def values(self) -> tuple[float, ...]:
        """The estimates a person can pick on this team, in order."""
        if not self.used:
            return ()
        steps = SCALES[self.kind][: BASE_STEPS + (2 if self.extended else 0)]
        return ((0.0,) if self.allow_zero else ()) + steps

    def comparable(self, estimate: float | None) -> float | None:
        """The estimate as comparable effort points (see the module docstring); None when unestimated."""
        if estimate is None:
            return None
        if not self.used or estimate <= 0:
            return float(estimate)
        return round(_interpolate(float(estimate), SCALES[self.kind], COMPARABLE), 6)

    def stored(self, points: float | None) -> float | None:
        """The inverse: the number to store on this team for `points` of comparable effort (for seeding)."""
        if points is None:
            return None
        if not self.used or points <= 0:
            return float(points)
        return round(_interpolate(float(points), COMPARABLE, SCALES[self.kind]), 6)
