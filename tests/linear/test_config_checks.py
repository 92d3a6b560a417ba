"""Issue 8 §3 on Linear, over real HTTP: an input read from a label group the workspace does not have, or one
missing on most issues, stops the run (exit 2) before any mutation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from connectors.linear.sandbox import DEMO_API_KEY, synthetic
from syncer.cli import main

CONFIG = """
workdir = "{workdir}"

[[trackers]]
name = "product"
kind = "linear"
url = "{url}"
token = "{token}"
teams = ["ENG", "DES"]

[trackers.inputs]
reach = "{reach}"
impact = "{impact}"
confidence = "label:Confidence"
effort = "estimate"
"""


def _run(tmp_path: Path, url: str, *args: str, reach: str = "customer_needs", impact: str = "label:Impact") -> Any:
    config = tmp_path / "syncer.toml"
    text = CONFIG.format(workdir=tmp_path / "work", url=url, token=DEMO_API_KEY, reach=reach, impact=impact)
    config.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["run", "--config", str(config), "--json", *args])


READS = {"SyncerTeams", "SyncerLabels", "SyncerIssues", "SyncerIssueNeeds", "SyncerCompleted"}


def _mutations(sandbox: Any) -> list[str]:
    return [op for op in sandbox.operations if op not in READS]


def test_a_label_group_the_workspace_lacks_is_exit_2_before_any_write(start_sandbox: Any, tmp_path: Path) -> None:
    sandbox = start_sandbox(synthetic(30))

    result = _run(tmp_path, sandbox.url, impact="label:Impakt")

    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["errors"][0]
    assert error["kind"] == "config"
    assert "inputs.impact = 'label:Impakt'" in error["message"]
    assert "has no label group 'Impakt'; did you mean 'Impact'?" in error["message"]
    assert "SyncerIssues" not in sandbox.operations  # stopped before reading issues, so before any write
    assert _mutations(sandbox) == []


def test_an_input_missing_on_most_issues_holds_the_linear_write_back(start_sandbox: Any, tmp_path: Path) -> None:
    # description:Reach is a valid spec, but the synthetic issues carry no ```syncer block: reach is missing on
    # every issue, which is what a wrong mapping looks like.
    sandbox = start_sandbox(synthetic(30))

    result = _run(tmp_path, sandbox.url, reach="description:Reach")

    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert "reach is missing or invalid on" in data["errors"][0]["message"]
    assert 'trackers[0].inputs.reach = "description:Reach"' in data["errors"][0]["message"]
    assert _mutations(sandbox) == []
    assert data["fields_written"] == 0

    allowed = _run(tmp_path, sandbox.url, "--allow-mass-needs-input", reach="description:Reach")
    assert allowed.exit_code == 0, allowed.output
    assert _mutations(sandbox)  # the needs-input cards and comments, now that they were asked for
