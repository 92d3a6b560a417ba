"""`syncer demo` (so `make run`) syncs the Jira sandbox beside the local backlog; right after, it writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncer.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_demo_syncs_the_jira_sandbox_and_a_second_run_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)

    first = CliRunner().invoke(main, ["demo", "--json"])
    second = CliRunner().invoke(main, ["demo", "--json"])

    jira_first = next(t for t in json.loads(first.stdout)["trackers"] if t["kind"] == "jira")
    jira_second = next(t for t in json.loads(second.stdout)["trackers"] if t["kind"] == "jira")
    assert jira_first["error"] is None and jira_first["issues"] > 150
    assert jira_first["comments_written"] == jira_first["issues"] and jira_first["fields_written"] > 0
    assert jira_first["wip_breaches"] > 0  # the board's column limits
    assert (jira_second["fields_written"], jira_second["comments_written"], jira_second["planned_writes"]) == (0, 0, 0)
    assert (tmp_path / ".demo" / "jira-sandbox" / "jira-state.json").exists()
