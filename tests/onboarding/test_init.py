"""`syncer init` against both sandboxes: the config it writes passes `syncer doctor` and `syncer run` uses it."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from connectors.jira.sandbox import JiraSandbox, seed
from connectors.jira.sandbox.state import JiraState
from connectors.linear.sandbox import DEMO_API_KEY, LinearSandbox, synthetic
from syncer.cli import main
from syncer.exitcodes import ExitCode

EMAIL, TOKEN = "bot@acme.test", "init-token"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the config's state database is relative to the working folder
    monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
    monkeypatch.setenv("LINEAR_API_KEY", DEMO_API_KEY)
    for name in ("JIRA_URL", "JIRA_EMAIL", "SYNCER_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def jira_state(*, admin: bool = True, outputs: bool = True) -> JiraState:
    state = seed.synthetic(30)
    state.account.email, state.account.token, state.account.admin = EMAIL, TOKEN, admin
    if not outputs:
        state.fields = [f for f in state.fields if f.id not in (seed.SCORE, seed.RANK, seed.BUCKET)]
    return state


@pytest.fixture
def jira() -> Iterator[Any]:
    servers: list[Any] = []

    def start(state: JiraState) -> tuple[JiraSandbox, str]:
        sandbox = JiraSandbox(state)
        server = sandbox.serve().start()
        servers.append(server)
        return sandbox, server.url

    yield start
    for server in servers:
        server.stop()


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def doctor(config: str) -> tuple[int, dict[str, Any]]:
    result = cli("doctor", "--config", config, "--json")
    return result.exit_code, json.loads(result.stdout)


def run(config: str) -> dict[str, Any]:
    result = cli("run", "--config", config, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_init_jira_writes_a_config_doctor_passes_and_run_uses(jira: Any) -> None:
    _, url = jira(jira_state())
    result = cli(
        "init", "--tracker-kind", "jira", "--url", url, "--email", EMAIL, "--project", "ACME", "--board-id", "7",
        "--out", "syncer.toml", "--no-input",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = Path("syncer.toml").read_text(encoding="utf-8")
    for line in ('reach = "Reach"', 'impact = "Impact"', 'confidence = "Confidence"', 'effort = "Story Points"'):
        assert line in text
    assert 'jql = "project = ACME AND statusCategory != Done"' in text and "token_env" in text and TOKEN not in text
    assert "'Story Points' (customfield_10016, number)" in result.output  # the candidates are listed
    code, data = doctor("syncer.toml")
    assert code == ExitCode.OK, [c for c in data["checks"] if c["status"] == "fail"]
    first = run("syncer.toml")
    assert first["scored"] > 0 and first["fields_written"] > 0
    assert run("syncer.toml")["fields_written"] == 0


def test_init_jira_create_fields_then_screens_then_doctor_passes(jira: Any) -> None:
    sandbox, url = jira(jira_state(outputs=False))
    result = cli(
        "init", "--tracker-kind", "jira", "--url", url, "--email", EMAIL, "--project", "ACME", "--create-fields",
        "--no-input",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created 'RICE Score'" in result.output and "created 'Priority Bucket'" in result.output
    assert "add 'RICE Score', 'Priority Rank', 'Priority Bucket' to the edit screen" in result.output
    bucket = next(f for f in sandbox.state.fields if f.name == "Priority Bucket")
    assert bucket.type == "option" and bucket.options == ["Now", "Next", "Later"]
    code, data = doctor("syncer.toml")
    assert code == ExitCode.CONFIG  # new fields sit on no screen yet, as in Jira
    assert {c["check"] for c in data["checks"] if c["status"] == "fail"} == {
        "edit screen ACME/Story",
        "edit screen ACME/Sub-task",
    }
    for definition in sandbox.state.fields:  # the administrator adds them to the screens
        definition.editable = definition.editable or definition.name in (
            "RICE Score",
            "Priority Rank",
            "Priority Bucket",
        )
    assert doctor("syncer.toml")[0] == ExitCode.OK
    assert run("syncer.toml")["fields_written"] > 0


def test_create_fields_needs_a_jira_administrator(jira: Any) -> None:
    _, url = jira(jira_state(admin=False, outputs=False))
    result = cli(
        "init", "--tracker-kind", "jira", "--url", url, "--email", EMAIL, "--project", "ACME", "--create-fields"
    )
    assert result.exit_code == ExitCode.CONFIG
    assert "administrators" in result.output


def test_init_linear_writes_a_config_doctor_passes_and_run_uses() -> None:
    with LinearSandbox(synthetic(20, teams=("ENG", "DES"))) as linear:
        result = cli("init", "--tracker-kind", "linear", "--url", linear.url, "--no-input")
        assert result.exit_code == 0, result.output
        text = Path("syncer.toml").read_text(encoding="utf-8")
        for line in ('reach = "customer_needs"', 'impact = "label:Impact"', 'effort = "estimate"'):
            assert line in text
        assert sorted(tomllib.loads(text)["trackers"][0]["teams"]) == ["DES", "ENG"]
        assert "label groups: Confidence, Impact" in result.output and "ENG: fibonacci" in result.output
        code, data = doctor("syncer.toml")
        assert code == ExitCode.OK, [c for c in data["checks"] if c["status"] == "fail"]
        assert run("syncer.toml")["fields_written"] > 0
        assert run("syncer.toml")["fields_written"] == 0


def test_init_local_from_the_sample_backlog() -> None:
    result = cli("init", "--tracker-kind", "local", "--path", str(REPO / "examples" / "backlog.json"), "--no-input")
    assert result.exit_code == 0, result.output
    assert 'effort = "Effort"' in Path("syncer.toml").read_text(encoding="utf-8")
    assert doctor("syncer.toml")[0] == ExitCode.OK


def test_every_prompt_has_a_flag_and_a_missing_one_is_named(jira: Any) -> None:
    _, url = jira(jira_state())
    result = cli("init", "--tracker-kind", "jira", "--url", url, "--email", EMAIL, "--no-input")
    assert result.exit_code == ExitCode.CONFIG and "--project (or --jql) is needed" in result.output
    assert not Path("syncer.toml").exists()
    assert cli("init", "--no-input").exit_code == ExitCode.CONFIG


def test_an_existing_config_is_not_overwritten(jira: Any) -> None:
    Path("syncer.toml").write_text("# mine\n", encoding="utf-8")
    result = cli("init", "--tracker-kind", "local", "--path", str(REPO / "examples" / "backlog.json"))
    assert result.exit_code == ExitCode.CONFIG and "--force" in result.output
    assert Path("syncer.toml").read_text(encoding="utf-8") == "# mine\n"


def test_refused_credentials_exit_3(jira: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _, url = jira(jira_state())
    monkeypatch.setenv("JIRA_API_TOKEN", "nope")
    result = cli("init", "--tracker-kind", "jira", "--url", url, "--email", EMAIL, "--project", "ACME")
    assert result.exit_code == ExitCode.TRACKER_UNAVAILABLE
    assert "nope" not in result.output
