"""Bad credentials (exit 3) and configuration that does not match the Jira instance (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectors.jira.sandbox import seed
from connectors.jira.sandbox.state import FieldDef
from connectors.sandbox_http import SandboxRequest, SandboxResponse
from syncer.cli import main
from syncer.pipeline import run_sync

from .conftest import EMAIL, jira_settings


def test_wrong_token_fails_on_the_first_request_naming_credential_and_url_never_the_secret(
    serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox, server = serve(seed.synthetic(5, mode="cloud"))
    monkeypatch.setenv("ACME_JIRA_TOKEN", "wrong-secret-value")
    settings = jira_settings(server.url, token=None, token_env="ACME_JIRA_TOKEN")

    report = run_sync(settings)

    run = report.trackers[0]
    assert run.error_kind == "auth"
    assert run.error is not None
    assert server.url in run.error and EMAIL in run.error and "$ACME_JIRA_TOKEN" in run.error
    assert "wrong-secret-value" not in run.error
    assert len(server.requests) == 1  # no retry of a refused credential


def test_cli_exits_3_on_refused_credentials(serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sandbox, server = serve(seed.synthetic(5, mode="datacenter"))
    monkeypatch.setenv("DC_PAT", "not-the-pat")
    config = tmp_path / "syncer.toml"
    config.write_text(
        f"""
workdir = "{tmp_path / "work"}"
[[trackers]]
name = "dc"
kind = "jira"
url = "{server.url}"
deployment = "datacenter"
token_env = "DC_PAT"
jql = "project = ACME"
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"
""",
        encoding="utf-8",
    )

    result = CliRunner().invoke(main, ["run", "--config", str(config), "--json"])

    assert result.exit_code == 3, result.output
    errors = json.loads(result.stdout)["errors"]
    assert errors[0]["kind"] == "auth"
    assert "personal access token from $DC_PAT" in errors[0]["message"] and server.url in errors[0]["message"]
    assert "not-the-pat" not in result.output


def test_unknown_field_name_is_a_config_error_listing_close_candidates(serve) -> None:
    _sandbox, server = serve(seed.synthetic(5, mode="cloud"))
    settings = jira_settings(server.url, inputs={"reach": "Reech", "effort": "Story Points"})

    report = run_sync(settings)

    run = report.trackers[0]
    assert run.error_kind == "config"
    assert run.error is not None
    assert "inputs.reach = 'Reech': no such Jira field" in run.error
    assert "Did you mean: 'Reach' (customfield_10010, number)" in run.error
    assert not [r for r in server.requests if r.method != "GET"]  # nothing written


def test_ambiguous_field_name_lists_the_ids_to_choose_from(serve) -> None:
    state = seed.synthetic(5, mode="cloud")
    state.fields.append(FieldDef("customfield_10099", "Impact", "number"))
    _sandbox, server = serve(state)

    report = run_sync(jira_settings(server.url))

    assert report.trackers[0].error_kind == "config"
    error = report.trackers[0].error or ""
    assert "inputs.impact = 'Impact' matches 2 Jira fields" in error
    assert "customfield_10011" in error and "customfield_10099" in error and "use the field id" in error


def test_output_field_of_the_wrong_type_is_refused_before_anything_is_written(serve) -> None:
    _sandbox, server = serve(seed.synthetic(5, mode="cloud"))
    settings = jira_settings(server.url, outputs={"score": "Confidence", "comment": False})

    report = run_sync(settings)

    assert report.trackers[0].error_kind == "config"
    assert "outputs.score = 'Confidence' is 'Confidence' (customfield_10012, string)" in (
        report.trackers[0].error or ""
    )


def test_field_ids_work_as_well_as_names(serve) -> None:
    _sandbox, server = serve(seed.synthetic(5, mode="cloud"))
    settings = jira_settings(
        server.url,
        inputs={"reach": seed.REACH, "impact": seed.IMPACT, "confidence": seed.CONFIDENCE, "effort": seed.EFFORT},
    )
    assert run_sync(settings).trackers[0].error is None


def test_missing_email_for_cloud_is_a_config_error() -> None:
    run = run_sync(jira_settings("http://127.0.0.1:9", deployment="cloud", email=None)).trackers[0]
    assert run.error_kind == "config"
    assert "Jira Cloud needs `email` with the API token" in (run.error or "")


def test_unreachable_jira_is_unavailable_after_bounded_retries() -> None:
    settings = jira_settings("http://127.0.0.1:9", http={"max_attempts": 2})  # nothing listens on port 9
    run = run_sync(settings).trackers[0]
    assert run.error_kind == "unavailable"
    assert "kept failing after 2 attempts" in (run.error or "")


def test_cloud_configured_as_data_center_explains_the_410(serve) -> None:
    _, server = serve(seed.synthetic(5, mode="cloud"))
    run = run_sync(jira_settings(server.url, deployment="datacenter")).trackers[0]
    assert run.error_kind == "config"
    assert 'removed /search: set deployment = "cloud"' in (run.error or "")


def test_credentials_revoked_mid_run_stop_the_tracker_instead_of_failing_issue_by_issue(serve) -> None:
    sandbox, server = serve(seed.synthetic(10, mode="cloud"))
    app = server.app

    def revoke_on_first_write(request: SandboxRequest) -> SandboxResponse:
        if request.method != "GET" and "search" not in request.path:
            sandbox.state.account.token = "rotated"
        return app(request)

    server.app = revoke_on_first_write

    run = run_sync(jira_settings(server.url, deployment="cloud")).trackers[0]

    assert run.error_kind == "auth" and "refused the credentials (HTTP 401)" in (run.error or "")


def test_cloud_without_email_and_without_deployment_says_email_is_missing(serve) -> None:
    # Without `deployment` nothing knows it is Cloud before the first request; the token then goes as a Bearer
    # PAT, Cloud refuses it, and "check that the token is valid" would send the user after the wrong thing.
    _, server = serve(seed.synthetic(5, mode="cloud"))
    run = run_sync(jira_settings(server.url, email=None)).trackers[0]
    assert run.error_kind == "auth"
    assert "set `email`" in (run.error or "")
    assert len(server.requests) == 1
