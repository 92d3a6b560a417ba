"""`syncer schedule`: --now, the refusals at start, and log lines with the `syncer run --json` counts."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from tests.alerts.jobs import backlog, config_text
from tests.ops.helpers import events, json_lines
from tests.ops.helpers import syncer_here as syncer

__all__ = ["backlog"]

YEARLY = '\n[schedule]\ncron = "0 0 1 1 *"\n\n[metrics]\nport = 0\nhost = "127.0.0.1"\n'
JIRA = """
[[trackers]]
name = "jira"
kind = "jira"
url = "http://127.0.0.1:9"
email = "bot@acme.test"
jql = "project = ACME"
{token}
"""


def _config(tmp_path: Path, backlog: Path, extra: str, name: str = "syncer.toml") -> Path:
    config = tmp_path / name
    config.write_text(config_text(tmp_path, backlog, f"sqlite:///{tmp_path}/{name}.db", extra), encoding="utf-8")
    return config


def test_without_a_schedule_section_it_exits_2_instead_of_waiting_on_a_default(tmp_path: Path, backlog: Path) -> None:
    config = _config(tmp_path, backlog, "")
    started = time.monotonic()
    done = syncer("--log-format", "text", "schedule", "--config", config, "--max-runs", "1")
    assert done.returncode == 2, done.stderr
    assert time.monotonic() - started < 30
    assert "no [schedule] section" in done.stderr and str(config) in done.stderr
    assert 'cron = "*/30 * * * *"' in done.stderr, "says what to add"
    assert "next run at" not in done.stderr


def test_a_tracker_without_credentials_stops_it_at_start(tmp_path: Path, backlog: Path) -> None:
    unset = _config(tmp_path, backlog, YEARLY + JIRA.format(token='token_env = "SYNCER_TEST_UNSET_TOKEN"'), "a.toml")
    done = syncer("--log-format", "text", "schedule", "--config", unset, env={"SYNCER_TEST_UNSET_TOKEN": ""})
    assert done.returncode == 2, done.stderr
    assert "trackers[1].token_env: environment variable SYNCER_TEST_UNSET_TOKEN is not set" in done.stderr

    missing = _config(tmp_path, backlog, YEARLY + JIRA.format(token=""), "b.toml")
    done = syncer("--log-format", "text", "schedule", "--config", missing)
    assert done.returncode == 2, done.stderr
    assert "tracker 'jira' has no credentials" in done.stderr
    assert "next run at" not in done.stderr


def test_now_runs_at_once_and_logs_the_same_counts_as_run_json(tmp_path: Path, backlog: Path) -> None:
    twin = tmp_path / "twin.json"
    shutil.copy(backlog, twin)
    config = _config(tmp_path, backlog, YEARLY)
    twin_config = _config(tmp_path, twin, "", "twin.toml")

    started = time.monotonic()
    done = syncer("schedule", "--config", config, "--now", "--max-runs", "1")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 60, "ran at start instead of waiting for the yearly slot"
    records = json_lines(done.stderr)
    [finished] = events(records, "run.finished")

    reference = json.loads(syncer("run", "--config", twin_config, "--json").stdout)
    for key in ("issues", "scored", "needs_input", "fields_written", "comments_written", "wip_breaches", "alerts_sent"):
        assert finished[key] == reference[key], key
    assert finished["fields_written"] > 0 and finished["exit_code"] == 0 and finished["run_id"] is not None

    text = syncer("--log-format", "text", "schedule", "--config", config, "--now", "--max-runs", "1")
    assert text.returncode == 0, text.stderr
    r = reference
    expected = f"finished (exit 0): {r['issues']} issues, {r['scored']} scored, {r['needs_input']} need input; "
    assert expected + "0 fields and 0 comments written, 0 write failures; 1 WIP breaches" in text.stderr
