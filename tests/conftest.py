"""Shared fixtures: a small local backlog and a config file pointing at it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from syncer import logs

BASE_CONFIG = """
workdir = "{workdir}"

[[trackers]]
name = "local"
kind = "local"
path = "{path}"

[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Effort"

[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
comment = true

[wip]
limits = {{ "In Progress" = 1 }}
"""


def base_config(backlog: Path, workdir: Path | None = None) -> str:
    """A local-tracker config (RICE inputs, all outputs, one WIP limit) as TOML text."""
    return BASE_CONFIG.format(path=backlog, workdir=workdir or f"{backlog}.work")


def make_issue(n: int, *, status: str = "Backlog", category: str = "todo", **fields: Any) -> dict[str, Any]:
    values = {"Reach": 100 * n, "Impact": "high", "Confidence": "80%", "Effort": 2}
    values.update(fields)
    return {
        "key": f"T-{n}",
        "id": str(n),
        "title": f"Issue {n}",
        "status": status,
        "status_category": category,
        "assignee": "ana" if category == "in_progress" else None,
        "team": "ENG",
        "created": f"2026-10-{n % 28 + 1:02d}T10:00:00+00:00",
        "updated": f"2026-10-{n % 28 + 1:02d}T10:00:00+00:00",
        "status_entered": f"2026-10-{n % 28 + 1:02d}T10:00:00+00:00",
        "fields": values,
        "comments": [],
    }


@pytest.fixture
def backlog_path(tmp_path: Path) -> Path:
    issues = [make_issue(n) for n in range(1, 9)]
    issues[0].update(status="In Progress", status_category="in_progress", assignee="ana")
    issues[1].update(status="In Progress", status_category="in_progress", assignee="ben")
    issues[2]["fields"]["Effort"] = 0  # needs input
    path = tmp_path / "backlog.json"
    path.write_text(json.dumps({"version": 1, "issues": issues}), encoding="utf-8")
    return path


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    def write(text: str | None = None, *, backlog: Path | None = None, name: str = "syncer.toml") -> Path:
        path = tmp_path / name
        body = text if text is not None else base_config(backlog or tmp_path / "backlog.json")
        path.write_text(body, encoding="utf-8")
        return path

    return write


def read_issues(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {i["key"]: i for i in data["issues"]}


@pytest.fixture(autouse=True)
def _plain_logs(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Plain log lines (a command run under the test runner is off a terminal, where the default is JSON), and
    syncer's logging unconfigured after each test. tests/ops checks the JSON default with SYNCER_LOG_FORMAT=auto."""
    monkeypatch.setenv("SYNCER_LOG_FORMAT", "text")
    yield
    logs.reset()
