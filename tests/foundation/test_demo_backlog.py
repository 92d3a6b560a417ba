from __future__ import annotations

from pathlib import Path

from syncer.demo.backlog import generate, render

REPO = Path(__file__).resolve().parents[2]


def test_shipped_demo_backlog_is_reproducible() -> None:
    assert (REPO / "config" / "demo-backlog.json").read_text(encoding="utf-8") == render(generate())


def test_demo_backlog_has_the_mix_the_demo_needs() -> None:
    issues = generate()["issues"]
    assert 150 <= len(issues) <= 300
    assert {i["status_category"] for i in issues} == {"todo", "in_progress", "done"}
    assert sum(1 for i in issues if i["fields"]["Effort"] in (None, 0)) > 3
