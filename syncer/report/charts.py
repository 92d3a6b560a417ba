"""Inline SVG bar charts for the HTML report: no JavaScript, no external assets, readable when e-mailed."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from syncer.escape import NAME_MAX, one_line

BAR = 22
GAP = 6
LABEL_W = 150
VALUE_W = 60


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    width: int = 520,
    color: str = "#3b6fd8",
    limits: Sequence[float | None] = (),
    title: str = "",
    label_title: str = "",
    value_title: str = "",
) -> str:
    """Horizontal bars, one per item; `limits[i]`, when given, draws a red marker on bar i (a WIP limit).
    `label_title` and `value_title` are the axis titles (of the labels column and of the bars' length)."""
    if not items:
        return ""
    top = max([v for _, v in items] + [x for x in limits if x is not None] + [1e-9])
    plot_w = width - LABEL_W - VALUE_W
    head = 20 if label_title or value_title else 0
    height = head + len(items) * (BAR + GAP) + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="12">'
    ]
    if head:
        parts.append(
            f'<text x="{LABEL_W - 8}" y="14" text-anchor="end" font-weight="bold">{escape(label_title)}</text>'
            f'<text x="{LABEL_W}" y="14" font-weight="bold">{escape(value_title)} →</text>'
        )
    for i, (label, value) in enumerate(items):
        y = head + GAP + i * (BAR + GAP)
        w = 0 if value <= 0 else max(1.0, plot_w * value / top)
        shown = escape(one_line(label, NAME_MAX))  # an assignee's or status's name from the tracker
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end">{shown}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{color}" rx="2"/>'
            f'<text x="{LABEL_W + w + 6:.1f}" y="{y + BAR * 0.7:.1f}">{value:g}</text>'
        )
    for i, limit in enumerate(limits):
        if limit is None:
            continue
        x = LABEL_W + plot_w * limit / top
        y = head + GAP + i * (BAR + GAP)
        parts.append(
            f'<line x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + BAR + 2}" stroke="#d33" stroke-width="3">'
            f"<title>limit {limit:g}</title></line>"
        )
    parts.append("</svg>")
    return "".join(parts)
