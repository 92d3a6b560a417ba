"""Issue 8 §3 on Jira, through the CLI over real HTTP: a mapped field Jira does not have, or an input missing on
most issues, is exit 2 with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from connectors.jira.sandbox import seed
from syncer.cli import main

from .conftest import EMAIL, TOKEN, writes

CONFIG = """
workdir = "{workdir}"
[[trackers]]
name = "acme"
kind = "jira"
url = "{url}"
email = "{email}"
token_env = "ACME_TOKEN"
jql = "project = ACME AND statusCategory != Done"
[trackers.inputs]
reach = "{reach}"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"
[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
"""


def _run(tmp_path: Path, url: str, reach: str, *args: str) -> Result:
    config = tmp_path / "syncer.toml"
    config.write_text(CONFIG.format(workdir=tmp_path / "work", url=url, email=EMAIL, reach=reach), encoding="utf-8")
    return CliRunner().invoke(main, ["run", "--config", str(config), "--json", *args])


def test_an_input_mapped_to_a_field_jira_lacks_is_exit_2_with_nothing_written(
    serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox, server = serve(seed.synthetic(20, mode="cloud"))
    monkeypatch.setenv("ACME_TOKEN", TOKEN)

    result = _run(tmp_path, server.url, "Rech")

    assert result.exit_code == 2, result.output
    message = json.loads(result.stdout)["errors"][0]["message"]
    assert "inputs.reach = 'Rech': no such Jira field" in message and "'Reach'" in message
    assert writes(server) == []


def test_an_input_on_a_field_most_issues_leave_empty_holds_every_jira_write(
    serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Priority Rank" exists (so /field cannot object) but holds no reach on any issue: a wrong mapping.
    _sandbox, server = serve(seed.synthetic(20, mode="cloud"))
    monkeypatch.setenv("ACME_TOKEN", TOKEN)

    result = _run(tmp_path, server.url, "Priority Rank")

    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert "reach is missing or invalid on" in data["errors"][0]["message"]
    assert writes(server) == []

    allowed = _run(tmp_path, server.url, "Priority Rank", "--allow-mass-needs-input")
    assert allowed.exit_code == 0, allowed.output
    assert writes(server)  # the needs-input comments, now that they were asked for
