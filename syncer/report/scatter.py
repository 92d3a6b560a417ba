"""Value against effort: an inline SVG scatter with the four classic quadrants, for the HTML report.

Value is the score's numerator and effort its denominator (RICE: reach x impact x confidence against effort;
WSJF: cost of delay against job size; ICE: impact x confidence against how hard it is, 11 - ease). The weighted
model has no effort of its own, so it gets no scatter. The quadrants split at the median value and the median
effort, so they always sort the backlog into four groups whatever its scale. RICE values are heavy-tailed: when
they span more than two orders of magnitude the value axis is logarithmic.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape
from statistics import median

from syncer.escape import NAME_MAX, one_line
from syncer.models import Breakdown

QUADRANTS = {
    (True, False): "quick wins",
    (True, True): "big bets",
    (False, False): "fill-ins",
    (False, True): "money pits",
}
"""(high value, high effort) -> name."""

_COLORS = {"Now": "#12b76a", "Next": "#f79009", "Later": "#98a2b3"}
_W, _H = 520, 360
_LEFT, _BOTTOM, _TOP, _RIGHT = 64, 44, 12, 12


@dataclass(frozen=True, slots=True)
class Point:
    key: str
    value: float
    effort: float
    bucket: str | None


def value_and_effort(breakdown: Breakdown) -> tuple[float, float] | None:
    """The (value, effort) behind a score, or None for a model without an effort."""
    v = breakdown.values
    if breakdown.model == "RICE":
        return v["reach"] * v["impact"] * v["confidence"], v["effort"]
    if breakdown.model == "WSJF":
        return v["business_value"] + v["time_criticality"] + v["risk_reduction"], v["job_size"]
    if breakdown.model == "ICE":
        return v["impact"] * v["confidence"], 11 - v["ease"]
    return None


def quadrant(point: Point, value_split: float, effort_split: float) -> str:
    return QUADRANTS[(point.value > value_split, point.effort > effort_split)]


def scatter_chart(points: Sequence[Point], *, value_label: str = "value", effort_label: str = "effort") -> str:
    """One circle per point, its key as its accessible title; quadrant lines at the medians, labelled."""
    return "".join(scatter_parts(points, value_label=value_label, effort_label=effort_label))


def scatter_parts(
    points: Sequence[Point], *, value_label: str = "value", effort_label: str = "effort"
) -> Iterator[str]:
    """`scatter_chart` piece by piece, for a writer that streams: at 50,000 issues the chart is about 6 MB of
    markup, and built as one string (from a list of its pieces) it was the HTML report's largest allocation."""
    if not points:
        return
    values = [p.value for p in points]
    efforts = [p.effort for p in points]
    positive = [v for v in values if v > 0]
    floor = min(positive) if positive else 0.0
    log = bool(positive) and max(positive) / floor > 100

    def vy(value: float) -> float:
        if log:
            return math.log10(max(value, floor))
        return value

    y_low, y_high = min(map(vy, values)), max(map(vy, values))
    x_low, x_high = min(efforts), max(efforts)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def sx(effort: float) -> float:
        return _LEFT + (plot_w * (effort - x_low) / (x_high - x_low) if x_high > x_low else plot_w / 2)

    def sy(value: float) -> float:
        y = vy(value)
        return _TOP + plot_h - (plot_h * (y - y_low) / (y_high - y_low) if y_high > y_low else plot_h / 2)

    value_split, effort_split = median(values), median(efforts)
    mx, my = sx(effort_split), sy(value_split)
    scale = " (log scale)" if log else ""
    yield from [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" role="img" font-family="sans-serif" '
        f'font-size="11" aria-label="{escape(value_label)} against {escape(effort_label)}, one mark per issue">',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#d0d5dd"/>',
        f'<line x1="{mx:.1f}" y1="{_TOP}" x2="{mx:.1f}" y2="{_TOP + plot_h}" stroke="#d0d5dd" stroke-dasharray="4"/>',
        f'<line x1="{_LEFT}" y1="{my:.1f}" x2="{_LEFT + plot_w}" y2="{my:.1f}" stroke="#d0d5dd" stroke-dasharray="4"/>',
        f'<text x="{_LEFT + 6}" y="{_TOP + 14}" fill="#067647" font-weight="bold">quick wins</text>',
        f'<text x="{_LEFT + plot_w - 6}" y="{_TOP + 14}" text-anchor="end" font-weight="bold">big bets</text>',
        f'<text x="{_LEFT + 6}" y="{_TOP + plot_h - 6}" font-weight="bold">fill-ins</text>',
        f'<text x="{_LEFT + plot_w - 6}" y="{_TOP + plot_h - 6}" text-anchor="end" fill="#b42318" '
        f'font-weight="bold">money pits</text>',
        f'<text x="{_LEFT + plot_w / 2:.0f}" y="{_H - 8}" text-anchor="middle">{escape(effort_label)} →</text>',
        f'<text transform="translate(14 {_TOP + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle">'
        f"{escape(value_label)}{scale} →</text>",
        f'<text x="{_LEFT}" y="{_TOP + plot_h + 14}" text-anchor="middle">{x_low:g}</text>',
        f'<text x="{_LEFT + plot_w}" y="{_TOP + plot_h + 14}" text-anchor="middle">{x_high:g}</text>',
        f'<text x="{_LEFT - 4}" y="{_TOP + plot_h}" text-anchor="end">{min(values):.3g}</text>',
        f'<text x="{_LEFT - 4}" y="{_TOP + 8}" text-anchor="end">{max(values):.3g}</text>',
    ]
    for p in points:
        color = _COLORS.get(p.bucket or "", "#7a5af8")
        yield (
            f'<circle class="mark" cx="{sx(p.effort):.1f}" cy="{sy(p.value):.1f}" r="3.5" fill="{color}" '
            f'fill-opacity=".7"><title>{escape(one_line(p.key, NAME_MAX))}</title></circle>'
        )
    yield "</svg>"
