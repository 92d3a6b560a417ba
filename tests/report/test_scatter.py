"""The value-against-effort scatter: value and effort per model, quadrants, one accessible mark per issue."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from syncer.models import Breakdown
from syncer.report.scatter import Point, quadrant, scatter_chart, value_and_effort

SVG = "{http://www.w3.org/2000/svg}"


def test_value_and_effort_per_model() -> None:
    rice = Breakdown("RICE", "", {"reach": 100, "impact": 2, "confidence": 0.5, "effort": 4}, {})
    assert value_and_effort(rice) == (100.0, 4)
    wsjf = Breakdown("WSJF", "", {"business_value": 8, "time_criticality": 5, "risk_reduction": 2, "job_size": 3}, {})
    assert value_and_effort(wsjf) == (15, 3)
    ice = Breakdown("ICE", "", {"impact": 8, "confidence": 5, "ease": 9}, {})
    assert value_and_effort(ice) == (40, 2)  # easy means little effort
    assert value_and_effort(Breakdown("Weighted", "", {"cost": 3}, {})) is None


@pytest.mark.parametrize(
    ("value", "effort", "name"),
    [(10, 1, "quick wins"), (10, 9, "big bets"), (1, 1, "fill-ins"), (1, 9, "money pits")],
)
def test_quadrants_split_at_the_medians(value: float, effort: float, name: str) -> None:
    assert quadrant(Point("K-1", value, effort, "Now"), value_split=5, effort_split=5) == name


def test_one_mark_per_issue_titled_with_its_key_and_hostile_keys_escaped() -> None:
    points = [Point(f"K-{n}", float(n * n), float(n % 7 + 1), "Now" if n < 5 else "Later") for n in range(1, 41)]
    points.append(Point('<script>alert(1)</script>&"', 5.0, 2.0, None))
    svg = scatter_chart(points, value_label="reach × impact × confidence", effort_label="effort")
    root = ET.fromstring(svg)  # well-formed XML: nothing a key holds can break out of its <title>
    marks = root.findall(f"{SVG}circle")
    assert len(marks) == len(points)
    assert [m.find(f"{SVG}title").text for m in marks] == [p.key for p in points]  # type: ignore[union-attr]
    assert "<script>" not in svg
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for label in ("quick wins", "big bets", "fill-ins", "money pits", "effort", "reach × impact × confidence"):
        assert label in texts
    assert "log scale" in texts  # 1 to 1,600: heavy-tailed


def test_a_high_value_low_effort_issue_is_drawn_top_left() -> None:
    points = [Point("WIN", 1000, 1, "Now"), Point("PIT", 1, 13, "Later"), Point("MID", 30, 5, "Next")]
    svg = scatter_chart(points)
    coords = {
        m.group(3): (float(m.group(1)), float(m.group(2)))
        for m in re.finditer(r'cx="([\d.]+)" cy="([\d.]+)"[^>]*><title>([^<]+)</title>', svg)
    }
    assert coords["WIN"][0] < coords["MID"][0] < coords["PIT"][0]  # more effort further right
    assert coords["WIN"][1] < coords["MID"][1] < coords["PIT"][1]  # more value higher up (smaller y)


def test_no_points_no_chart() -> None:
    assert scatter_chart([]) == ""
