"""`syncer doctor` against both sandboxes: a healthy setup passes (exit 0); each broken setup a first run would
otherwise discover by failing makes the matching check fail with its fix; nothing is written to a tracker."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from connectors.jira.sandbox import JiraSandbox, seed
from connectors.jira.sandbox import presets as jira_presets
from connectors.linear.sandbox import DEMO_API_KEY, LinearSandbox, synthetic
from connectors.linear.sandbox import presets as linear_presets
from connectors.sandbox_http import SandboxHTTPServer
from syncer.cli import main
from syncer.exitcodes import ExitCode

EMAIL, TOKEN = "bot@acme.test", "doctor-token"

CONFIG = """
workdir = "{work}"

[[trackers]]
name = "jira"
kind = "jira"
url = "{jira}"
email = "{email}"
token_env = "DOCTOR_JIRA_TOKEN"
jql = {jql}
board_id = {board}
notify_users = false
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"
[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
comment = true

[[trackers]]
name = "linear"
kind = "linear"
url = "{linear}"
token_env = "DOCTOR_LINEAR_KEY"
teams = {teams}
attachment_url = "{attachment}"
[trackers.inputs]
reach = "customer_needs"
impact = "label:Impact"
confidence = "label:Confidence"
effort = "estimate"
[trackers.outputs]
attachment = true
bucket_label_group = "Priority bucket"
comment = false

[state]
url = "sqlite:///{work}/state.db"

[[alerts]]
kind = "file"
path = "{work}/alerts.jsonl"
"""


class Setup:
    def __init__(self, tmp_path: Path, jira: JiraSandbox, jira_server: SandboxHTTPServer, linear: LinearSandbox):
        self.tmp_path, self.jira, self.jira_server, self.linear = tmp_path, jira, jira_server, linear

    def config(self, **overrides: Any) -> Path:
        values: dict[str, Any] = {
            "work": self.tmp_path / "work",
            "jira": self.jira_server.url,
            "email": EMAIL,
            "jql": json.dumps("project = ACME AND statusCategory != Done"),
            "board": seed.BOARD_ID,
            "linear": self.linear.url,
            "teams": json.dumps(["ENG", "DES"]),
            "attachment": "https://syncer.example.com/linear/{issue_id}",
        }
        values.update(overrides)
        path = self.tmp_path / "syncer.toml"
        path.write_text(CONFIG.format(**values).replace("{{issue_id}}", "{issue_id}"), encoding="utf-8")
        return path


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Setup]]:
    """Start both sandboxes (healthy, or with the named presets applied) and give a matching config."""
    monkeypatch.setenv("DOCTOR_JIRA_TOKEN", TOKEN)
    monkeypatch.setenv("DOCTOR_LINEAR_KEY", DEMO_API_KEY)
    started: list[Any] = []

    def start(jira: tuple[str, ...] = ("admin",), linear: tuple[str, ...] = ()) -> Setup:
        state = seed.synthetic(30)
        state.account.email, state.account.token = EMAIL, TOKEN
        sandbox = JiraSandbox(jira_presets.apply(state, *jira))
        server = sandbox.serve().start()
        workspace = linear_presets.apply(synthetic(20, teams=("ENG", "DES")), *linear)
        lin = LinearSandbox(workspace).start()
        started.extend([server, lin])
        return Setup(tmp_path, sandbox, server, lin)

    yield start
    for thing in started:
        thing.stop()


def doctor(config: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["doctor", "--config", str(config), "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def find(data: dict[str, Any], scope: str, check: str) -> dict[str, Any]:
    matches = [c for c in data["checks"] if c["scope"] == scope and c["check"] == check]
    assert matches, f"no check {scope}: {check} in {[(c['scope'], c['check']) for c in data['checks']]}"
    return matches[0]


def failing(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["scope"], c["check"]) for c in data["checks"] if c["status"] == "fail"]


def test_a_healthy_setup_passes_and_nothing_is_written(setup: Callable[..., Setup]) -> None:
    live = setup()
    before = live.jira.state.to_json()
    code, data = doctor(live.config())
    assert code == ExitCode.OK, failing(data)
    assert data["ok"] is True
    assert "signed in as Syncer Bot (bot@acme.test)" in find(data, "jira", "connect")["detail"]
    assert "selects about" in find(data, "jira", "jql")["detail"]
    assert find(data, "jira", "edit screen ACME/Story")["status"] == "pass"
    assert find(data, "jira", "bucket options")["status"] == "pass"
    assert find(data, "jira", "permissions ACME")["status"] == "pass"
    assert find(data, "jira", "notify_users ACME")["status"] == "pass"
    assert "In Progress <= 10" in find(data, "jira", "board")["detail"]
    assert "signed in as Syncer Bot" in find(data, "linear", "connect")["detail"]
    assert "requests" in find(data, "linear", "connect")["detail"]  # the remaining rate budget
    assert find(data, "linear", "input impact")["status"] == "pass"
    assert find(data, "linear", "bucket label group")["status"] == "warn"  # created by the first run
    assert find(data, "state", "database")["status"] == "pass"
    assert live.jira.state.to_json() == before
    writes = [r for r in live.jira_server.requests if r.method in ("PUT", "DELETE") or "comment" in r.path]
    assert writes == []
    assert not any("mutation" in op.casefold() for op in live.linear.operations)


@pytest.mark.parametrize(
    ("preset", "check", "detail", "fix"),
    [
        ("field-off-screen", "edit screen ACME/Story", "'RICE Score' not on the edit screen", "add 'RICE Score'"),
        ("no-comment-permission", "permissions ACME", "lacks Add Comments", "grant Add Comments"),
        ("missing-bucket-option", "bucket options", "has no option Later", "add the options Later"),
    ],
)
def test_each_broken_jira_setup_fails_its_check_with_the_fix(
    setup: Callable[..., Setup], preset: str, check: str, detail: str, fix: str
) -> None:
    live = setup(jira=("admin", preset))
    code, data = doctor(live.config(), "--tracker", "jira")
    assert code == ExitCode.CONFIG
    found = find(data, "jira", check)
    assert found["status"] == "fail" and detail in found["detail"] and fix in found["fix"], found
    assert failing(data) == [("jira", check)]


def test_bad_jql_fails_with_jiras_message(setup: Callable[..., Setup]) -> None:
    live = setup()
    code, data = doctor(live.config(jql=json.dumps("project = ACME AND statsu = Done")), "--tracker", "jira")
    assert code == ExitCode.CONFIG
    found = find(data, "jira", "jql")
    assert found["status"] == "fail" and "statsu" in found["detail"] and "trackers[0].jql" in found["fix"]


def test_notify_users_without_administer_projects_warns(setup: Callable[..., Setup]) -> None:
    live = setup(jira=("not-admin",))
    code, data = doctor(live.config(), "--tracker", "jira")
    assert code == ExitCode.OK
    found = find(data, "jira", "notify_users ACME")
    assert found["status"] == "warn" and "e-mails watchers" in found["detail"]


def test_missing_fields_and_board(setup: Callable[..., Setup], tmp_path: Path) -> None:
    live = setup()
    path = live.config(board=99)
    path.write_text(path.read_text().replace('score = "RICE Score"', 'score = "RICE Scor"'), encoding="utf-8")
    code, data = doctor(path, "--tracker", "jira")
    assert code == ExitCode.CONFIG
    assert "Did you mean: 'RICE Score'" in find(data, "jira", "output score")["detail"]
    assert find(data, "jira", "board")["status"] == "fail"


def test_refused_credentials_exit_3(setup: Callable[..., Setup], monkeypatch: pytest.MonkeyPatch) -> None:
    live = setup()
    monkeypatch.setenv("DOCTOR_JIRA_TOKEN", "wrong")
    monkeypatch.setenv("DOCTOR_LINEAR_KEY", "lin_api_wrong")
    code, data = doctor(live.config())
    assert code == ExitCode.TRACKER_UNAVAILABLE
    assert failing(data) == [("jira", "connect"), ("linear", "connect")]
    assert "DOCTOR_JIRA_TOKEN" in find(data, "jira", "connect")["fix"]
    assert "wrong" not in json.dumps(data)


def test_missing_label_group_fails(setup: Callable[..., Setup]) -> None:
    live = setup(linear=("missing-label-group",))
    code, data = doctor(live.config(), "--tracker", "linear")
    assert code == ExitCode.CONFIG
    found = find(data, "linear", "input confidence")
    assert found["status"] == "fail" and "no label group 'Confidence'" in found["detail"]
    assert "create the label group 'Confidence'" in found["fix"]
    assert failing(data) == [("linear", "input confidence")]


def test_linear_unknown_team_and_bad_attachment_url(setup: Callable[..., Setup]) -> None:
    live = setup()
    code, data = doctor(
        live.config(teams=json.dumps(["ENG", "eng2"]), attachment="https://x.example/{{id}}"), "--tracker", "linear"
    )
    assert code == ExitCode.CONFIG
    assert "no team with key eng2 (teams: DES, ENG)" in find(data, "linear", "teams")["detail"]
    assert "{issue_id}" in find(data, "linear", "attachment_url")["detail"]


def test_test_alert_is_sent_only_when_asked(setup: Callable[..., Setup], tmp_path: Path) -> None:
    live = setup()
    alerts = tmp_path / "work" / "alerts.jsonl"
    code, data = doctor(live.config(), "--tracker", "jira")
    assert code == ExitCode.OK and not alerts.exists()
    assert "not tested" in find(data, "alerts", "alert file")["detail"]
    code, data = doctor(live.config(), "--tracker", "jira", "--send-test-alert")
    assert code == ExitCode.OK
    assert find(data, "alerts", "alert file")["detail"] == "file accepted a test message"
    assert "syncer doctor" in alerts.read_text(encoding="utf-8")


def test_unreachable_state_database_fails(setup: Callable[..., Setup]) -> None:
    live = setup()
    path = live.config()
    text = path.read_text().replace(
        f'url = "sqlite:///{live.tmp_path}/work/state.db"', 'url = "postgresql+psycopg://nobody@127.0.0.1:1/x"'
    )
    path.write_text(text, encoding="utf-8")
    code, data = doctor(path, "--tracker", "jira")
    assert code == ExitCode.CONFIG
    assert find(data, "state", "database")["status"] == "fail"


def test_text_output_names_each_check_and_its_fix(setup: Callable[..., Setup]) -> None:
    live = setup(jira=("admin", "missing-bucket-option"))
    result = CliRunner().invoke(main, ["doctor", "--config", str(live.config()), "--tracker", "jira"])
    assert result.exit_code == ExitCode.CONFIG
    assert "FAIL jira: bucket options" in result.output and "fix: add the options Later" in result.output
    assert "PASS jira: connect" in result.output


def test_the_presets_break_a_real_run_the_way_doctor_says(setup: Callable[..., Setup]) -> None:
    # What doctor flags is what the run then meets: Story issues refuse the score, comments are refused.
    from syncer.pipeline import run_sync
    from syncer.settings import load_settings

    live = setup(jira=("admin", "field-off-screen", "no-comment-permission"))
    report = run_sync(load_settings(live.config()), only=["jira"])
    [run] = report.trackers
    assert run.applied is not None
    reasons = " ".join(f.message for f in run.applied.failures)
    assert "screen" in reasons and "permission" in reasons


def test_sandbox_break_options_match_the_presets() -> None:
    import click

    from syncer.cli.sandbox import jira_command, linear_command

    for command, presets in ((jira_command, jira_presets.PRESETS), (linear_command, linear_presets.PRESETS)):
        [option] = [p for p in command.params if p.name == "broken"]
        assert isinstance(option.type, click.Choice)
        assert set(option.type.choices) == set(presets)


def test_data_center_counts_with_search_and_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = jira_presets.apply(seed.synthetic(20, mode="datacenter"), "admin")
    state.account.token = TOKEN
    sandbox = JiraSandbox(state)
    with sandbox.serve() as server:
        monkeypatch.setenv("DOCTOR_JIRA_TOKEN", TOKEN)
        config = tmp_path / "dc.toml"
        config.write_text(
            f'[[trackers]]\nname = "dc"\nkind = "jira"\nurl = "{server.url}"\ntoken_env = "DOCTOR_JIRA_TOKEN"\n'
            'jql = "project = ACME"\n[trackers.inputs]\nreach = "Reach"\nimpact = "Impact"\n'
            'confidence = "Confidence"\neffort = "Story Points"\n[trackers.outputs]\nscore = "RICE Score"\n'
            f'[state]\nurl = "sqlite:///{tmp_path}/state.db"\n',
            encoding="utf-8",
        )
        code, data = doctor(config)
    assert code == ExitCode.OK, failing(data)
    assert "Jira datacenter" in find(data, "dc", "connect")["detail"]
    assert "selects exactly 20 issues" in find(data, "dc", "jql")["detail"]


def test_an_alert_destination_that_refuses_the_test_message_fails(setup: Callable[..., Setup]) -> None:
    live = setup()
    path = live.config()
    text = path.read_text().replace('kind = "file"', 'kind = "webhook"\nurl = "http://127.0.0.1:9/hook"')
    text = text.replace(f'path = "{live.tmp_path}/work/alerts.jsonl"\n', "")
    path.write_text(text, encoding="utf-8")
    code, data = doctor(path, "--tracker", "jira", "--send-test-alert")
    assert code == ExitCode.CONFIG
    found = find(data, "alerts", "alert webhook")
    assert found["status"] == "fail" and "test message" in found["detail"]


def test_a_missing_token_variable_is_named(setup: Callable[..., Setup], monkeypatch: pytest.MonkeyPatch) -> None:
    live = setup()
    monkeypatch.delenv("DOCTOR_LINEAR_KEY")
    code, data = doctor(live.config(), "--tracker", "linear")
    assert code == ExitCode.CONFIG
    assert "DOCTOR_LINEAR_KEY" in find(data, "linear", "credentials")["detail"]


def test_linear_state_types_a_team_lacks(setup: Callable[..., Setup]) -> None:
    live = setup()
    path = live.config()
    text = path.read_text().replace('teams = ["ENG", "DES"]', 'teams = ["ENG", "DES"]\nstates = ["triage"]')
    path.write_text(text, encoding="utf-8")
    for state in list(live.linear.workspace.states.values()):
        if state["type"] == "triage":
            state["type"] = "backlog"
    code, data = doctor(path, "--tracker", "linear")
    assert code == ExitCode.CONFIG
    assert "has no workflow state of type triage" in find(data, "linear", "states ENG")["detail"]


def test_jira_failing_mid_way_is_a_failed_check_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors.sandbox_http import FaultConfig

    state = jira_presets.apply(seed.synthetic(10), "admin")
    state.account.email, state.account.token = EMAIL, TOKEN
    monkeypatch.setenv("DOCTOR_JIRA_TOKEN", TOKEN)
    monkeypatch.setenv("SYNCER_HTTP__MAX_ATTEMPTS", "2")
    monkeypatch.setenv("SYNCER_HTTP__BACKOFF_INITIAL", "0.01")
    with JiraSandbox(state).serve(
        faults=FaultConfig(rate=1.0, kinds=("500",), only=r"^GET /rest/api/\d/field")
    ) as server:
        config = tmp_path / "flaky.toml"
        config.write_text(
            f'[[trackers]]\nname = "j"\nkind = "jira"\nurl = "{server.url}"\nemail = "{EMAIL}"\n'
            'token_env = "DOCTOR_JIRA_TOKEN"\njql = "project = ACME"\n[trackers.inputs]\nreach = "Reach"\n'
            'impact = "Impact"\nconfidence = "Confidence"\neffort = "Story Points"\n'
            f'[state]\nurl = "sqlite:///{tmp_path}/state.db"\n',
            encoding="utf-8",
        )
        code, data = doctor(config)
    assert code == ExitCode.CONFIG
    assert failing(data) == [("j", "fields")]
    assert find(data, "j", "jql")["status"] == "pass"
