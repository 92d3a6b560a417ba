"""Helpers for tests that run the real job (local tracker, real state store) several times."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from syncer.job import JobResult, run_job
from syncer.settings import SyncSettings, load_settings
from tests.conftest import base_config, make_issue

STATE = """
[state]
url = "{state_url}"

[report]
enabled = false
"""


def issue(n: int, *, status: str = "Backlog", category: str = "todo", assignee: str | None = None) -> dict[str, Any]:
    return {**make_issue(n, status=status, category=category), "assignee": assignee}


@pytest.fixture
def backlog(tmp_path: Path) -> Path:
    """Six issues; T-1 and T-2 in progress against a limit of 1: a breach of "In Progress"."""
    issues = [issue(n) for n in range(1, 7)]
    issues[0] = issue(1, status="In Progress", category="in_progress", assignee="ana")
    issues[1] = issue(2, status="In Progress", category="in_progress", assignee="ben")
    path = tmp_path / "backlog.json"
    path.write_text(json.dumps({"version": 1, "issues": issues}), encoding="utf-8")
    return path


def config_text(tmp_path: Path, backlog: Path, state_url: str, extra: str = "") -> str:
    return base_config(backlog, tmp_path / "work") + STATE.format(state_url=state_url) + extra


def write_settings(tmp_path: Path, backlog: Path, state_url: str, extra: str = "") -> SyncSettings:
    path = tmp_path / "syncer.toml"
    path.write_text(config_text(tmp_path, backlog, state_url, extra), encoding="utf-8")
    return load_settings(path)


def run(settings: SyncSettings, **kwargs: Any) -> JobResult:
    return run_job(settings, config_path="syncer.toml", **kwargs)


def set_status(backlog: Path, key: str, status: str, category: str) -> None:
    data = json.loads(backlog.read_text(encoding="utf-8"))
    for entry in data["issues"]:
        if entry["key"] == key:
            entry["status"], entry["status_category"] = status, category
    backlog.write_text(json.dumps(data), encoding="utf-8")


def jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
