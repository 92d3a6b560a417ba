"""Credentials: a bad API key stops the Linear tracker with exit 3 and a message naming where the key came from
and the URL, never the key; the API-key and OAuth header forms are not interchangeable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from connectors.linear.sandbox import DEMO_OAUTH_TOKEN, synthetic
from syncer.cli import main
from syncer.pipeline import run_sync
from tests.linear.conftest import linear_settings

CONFIG = """
workdir = "{workdir}"

[[trackers]]
name = "product"
kind = "linear"
url = "{url}"
token_env = "LINEAR_API_KEY"
teams = ["ENG", "DES"]

[trackers.inputs]
reach = "customer_needs"
impact = "label:Impact"
confidence = "label:Confidence"
effort = "estimate"
"""


def test_bad_api_key_exits_3_naming_the_variable_and_url_not_the_key(
    start_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = start_sandbox(synthetic(5))
    config = tmp_path / "syncer.toml"
    config.write_text(CONFIG.format(url=sandbox.url, workdir=tmp_path / "work"), encoding="utf-8")
    monkeypatch.setenv("LINEAR_API_KEY", "lin_api_wrong_0123456789")
    result = CliRunner().invoke(main, ["run", "--config", str(config)])
    assert result.exit_code == 3, result.output
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "LINEAR_API_KEY" in output and sandbox.url in output
    assert "lin_api_wrong_0123456789" not in output
    assert [r.status for r in sandbox.requests] == [400]  # refused once, not retried


def test_oauth_token_is_sent_as_bearer(start_sandbox: Any, tmp_path: Path) -> None:
    sandbox = start_sandbox(synthetic(5))
    settings = linear_settings(sandbox.url, tmp_path, auth="oauth", token=DEMO_OAUTH_TOKEN)
    assert run_sync(settings, dry_run=True).trackers[0].error is None


def test_an_api_key_sent_as_oauth_is_refused(start_sandbox: Any, tmp_path: Path) -> None:
    sandbox = start_sandbox(synthetic(5))
    run = run_sync(linear_settings(sandbox.url, tmp_path, auth="oauth")).trackers[0]
    assert run.error_kind == "auth"
    assert "OAuth token set as `token`" in (run.error or "")
    assert 'auth = "api_key" or "oauth"' in (run.error or "")


def test_no_credential_at_all_is_reported_without_a_request(start_sandbox: Any, tmp_path: Path) -> None:
    sandbox = start_sandbox(synthetic(5))
    run = run_sync(linear_settings(sandbox.url, tmp_path, token=None)).trackers[0]
    assert run.error_kind == "auth" and "no Linear credential" in (run.error or "")
    assert sandbox.requests == []


def test_a_state_name_where_a_state_type_belongs_is_a_config_error(start_sandbox: Any, tmp_path: Path) -> None:
    sandbox = start_sandbox(synthetic(5))
    run = run_sync(linear_settings(sandbox.url, tmp_path, states=["backlog", "In Progress"])).trackers[0]
    assert run.error_kind == "config"
    assert "unknown workflow state type In Progress" in (run.error or "")
    assert sandbox.requests == []


@pytest.mark.parametrize("url", ["https://x/linear/{key}", "https://x/linear/static", "https://x/{issue_id}/{team}"])
def test_an_attachment_url_without_the_issue_uuid_is_a_config_error(
    start_sandbox: Any, tmp_path: Path, url: str
) -> None:
    sandbox = start_sandbox(synthetic(3))
    run = run_sync(linear_settings(sandbox.url, tmp_path, attachment_url=url)).trackers[0]
    assert run.error_kind == "config" and "attachment_url must contain {issue_id}" in (run.error or "")
