"""Structured logs: JSON lines off a terminal, text on request, secrets never on a line, retries said once."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.jira.sandbox import JiraSandbox, seed
from connectors.sandbox_http import SandboxHTTPServer
from syncer import logs
from tests.alerts.jobs import backlog, config_text
from tests.ops.helpers import events, json_lines, syncer
from tests.statedb import pg_url

__all__ = ["backlog", "pg_url"]

JIRA_TOKEN = "tok-7f3a9c-JIRA-DISTINCT"
GOOD_TOKEN = "jira-good-4c1e88-DISTINCT"
SLACK_URL = "http://127.0.0.1:9/services/T000/B000/slack-9d2b71-DISTINCT"
HMAC_SECRET = "hmac-e5a0c3-DISTINCT"
PG_PASSWORD = "pgpw-1b8d44-DISTINCT"
SECRETS = (JIRA_TOKEN, GOOD_TOKEN, SLACK_URL, "slack-9d2b71-DISTINCT", HMAC_SECRET, PG_PASSWORD)


@pytest.fixture
def jira() -> Iterator[SandboxHTTPServer]:
    state = seed.synthetic(30, mode="cloud")
    state.account.email, state.account.token = "bot@acme.test", GOOD_TOKEN
    server = JiraSandbox(state).serve().start()
    yield server
    server.stop()


def _jira_entry(name: str, url: str, token_env: str) -> str:
    return f"""
[[trackers]]
name = "{name}"
kind = "jira"
url = "{url}"
deployment = "cloud"
email = "bot@acme.test"
token_env = "{token_env}"
jql = "project = ACME"
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"
[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
"""


def test_a_cron_run_logs_one_json_object_per_line_and_no_secret(
    tmp_path: Path, backlog: Path, pg_url: str, jira: SandboxHTTPServer
) -> None:
    # Postgres trusts local connections, so a password in the URL is accepted (and must never be shown).
    state = pg_url.replace("postgres@", f"postgres:{PG_PASSWORD}@")
    extra = (
        _jira_entry("jira", jira.url, "GOOD_TOKEN")
        + _jira_entry("refused", jira.url, "BAD_TOKEN")
        + """
[[alerts]]
kind = "slack"
webhook_url_env = "SLACK_URL"

[[alerts]]
kind = "webhook"
url = "http://127.0.0.1:9/hook"
secret_env = "HMAC_SECRET"
"""
    )
    config = tmp_path / "syncer.toml"
    config.write_text(config_text(tmp_path, backlog, state, extra), encoding="utf-8")
    env = {"GOOD_TOKEN": GOOD_TOKEN, "BAD_TOKEN": JIRA_TOKEN, "SLACK_URL": SLACK_URL, "HMAC_SECRET": HMAC_SECRET}

    done = syncer("--log-level", "debug", "run", "--config", config, "--json", env=env)

    assert done.returncode == 3, done.stderr  # the refused tracker
    for secret in SECRETS:
        assert secret not in done.stderr and secret not in done.stdout, secret
    records = json_lines(done.stderr)
    for record in records:
        assert {"timestamp", "level", "event", "run_id", "tracker"} <= record.keys(), record
    run_id = json.loads(done.stdout)["run_id"]
    pages = list(events(records, "jira.search.page"))
    assert pages and all(p["tracker"] == "jira" and p["run_id"] == run_id for p in pages)
    applied = next(r for r in events(records, "writeback.applied") if r["tracker"] == "jira")
    assert applied["fields"] > 0 and applied["failures"] == 0
    finished = next(events(records, "run.finished"))
    summary = json.loads(done.stdout)
    assert (finished["issues"], finished["fields_written"]) == (summary["issues"], summary["fields_written"])
    refused = [r for r in events(records, "run.error") if r["tracker"] == "refused"]
    assert len(refused) == 1 and "refused the credentials" in refused[0]["message"]
    assert any(r["event"] == "alerts.delivery-failed" for r in records), "the unreachable destinations were tried"


def test_text_format_on_request(tmp_path: Path, backlog: Path) -> None:
    config = tmp_path / "syncer.toml"
    config.write_text(config_text(tmp_path, backlog, f"sqlite:///{tmp_path}/state.db"), encoding="utf-8")
    done = syncer("--log-format", "text", "--log-level", "info", "run", "--config", config)
    assert done.returncode == 0, done.stderr
    assert "INFO syncer.pipeline writeback.applied" in done.stderr
    assert not done.stderr.lstrip().startswith("{")


def test_a_retried_connection_error_is_said_once_not_in_urllib3_words_on_every_attempt(tmp_path: Path) -> None:
    config = tmp_path / "syncer.toml"
    config.write_text(
        f'workdir = "{tmp_path}/work"\n'
        + _jira_entry("jira", "http://127.0.0.1:9", "GOOD_TOKEN")
        + "\n[http]\nmax_attempts = 3\nbackoff_initial = 0.01\nbackoff_max = 0.01\n",
        encoding="utf-8",
    )
    done = syncer("run", "--config", config, env={"GOOD_TOKEN": GOOD_TOKEN})
    assert done.returncode == 3, done.stderr
    records = json_lines(done.stderr)
    assert "HTTPConnectionPool" not in done.stderr and "Max retries exceeded" not in done.stderr
    retries = list(events(records, "http.retry"))
    assert [r["attempt"] for r in retries] == [1, 2]
    assert all(r["message"].endswith("reason=connection refused") for r in retries)
    errors = list(events(records, "run.error"))
    assert [e["message"] for e in errors] == [
        "Jira at http://127.0.0.1:9 kept failing after 3 attempts: GET field: connection refused"
    ]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_the_filter_masks_registered_secrets_and_credential_shapes_in_every_part_of_a_record(fmt: str) -> None:
    stream = io.StringIO()
    logs.configure(fmt, "debug", stream=stream)  # type: ignore[arg-type]
    logs.register_secret("s3cr3t-VALUE-4411")
    log = logging.getLogger("tests.ops")
    log.info(
        "plain s3cr3t-VALUE-4411", extra={"url": "https://x/hook?token=abc123def456", "nested": ["s3cr3t-VALUE-4411"]}
    )
    log.warning("db postgresql+psycopg://syncer:hunter2@db:5432/syncer refused")
    log.warning("header Authorization: Basic Ym90OmRlbW8tdG9rZW4= and Bearer abcdefgh12345678")
    try:
        raise RuntimeError("boom s3cr3t-VALUE-4411")
    except RuntimeError:
        log.exception("failed")
    out = stream.getvalue()
    for leaked in ("s3cr3t-VALUE-4411", "hunter2", "abc123def456", "Ym90OmRlbW8tdG9rZW4=", "abcdefgh12345678"):
        assert leaked not in out, leaked
    assert "postgresql+psycopg://syncer:***@db:5432/syncer" in out
    if fmt == "json":
        assert len(json_lines(out)) == 4


def test_only_secrets_are_masked_not_the_addresses_beside_them() -> None:
    # An SMTP host or a webhook URL is not a credential: masking it would hide which server failed.
    import httpx

    from syncer.alerts.destinations import build
    from syncer.settings import SyncSettings

    settings = SyncSettings(
        trackers=[{"name": "t", "kind": "local", "path": "b.json"}],
        alerts=[
            {
                "kind": "email",
                "host": "mail.internal.example",
                "sender": "a@b.c",
                "to": ["x@y.z"],
                "password": "smtp-pw-0c7d55",
            },
            {"kind": "webhook", "url": "https://hooks.internal.example/in", "secret": "hmac-key-19ab3f"},
        ],
    )
    with httpx.Client() as client:
        build(settings.alerts, client)
    line = logs.redact("mail.internal.example https://hooks.internal.example/in smtp-pw-0c7d55 hmac-key-19ab3f")
    assert line == "mail.internal.example https://hooks.internal.example/in *** ***"
