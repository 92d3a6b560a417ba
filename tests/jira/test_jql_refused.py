"""A query Jira refuses is a configuration error (exit 2) naming `jql` and Jira's message, not an empty backlog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectors.jira.sandbox import seed
from syncer.cli import main

from .conftest import EMAIL, TOKEN


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("project = ACME AND status = Nonexistent", "The value 'Nonexistent' does not exist for the field 'status'."),
    ],
)
def test_refused_jql_exits_2_naming_jql_and_jiras_message(
    serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str, message: str
) -> None:
    _sandbox, server = serve(seed.synthetic(5, mode="cloud"))
    monkeypatch.setenv("ACME_TOKEN", TOKEN)
    config = tmp_path / "syncer.toml"
    config.write_text(
        f"""
workdir = "{tmp_path / "work"}"
[[trackers]]
name = "acme"
kind = "jira"
url = "{server.url}"
email = "{EMAIL}"
token_env = "ACME_TOKEN"
jql = "{query}"
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"
""",
        encoding="utf-8",
    )

    result = CliRunner().invoke(main, ["run", "--config", str(config), "--json"])

    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["errors"][0]
    assert error["kind"] == "config"
    assert error["message"] == f"jql = {query!r}: Jira refused the query: {message}"
    assert not [r for r in server.requests if r.method in ("PUT", "DELETE")]
