"""The real job, run again and again over a local backlog with a WIP breach, against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from syncer.alerts.destinations import build
from syncer.alerts.webhook import SIGNATURE_HEADER, verify
from syncer.settings import ConfigError
from syncer.settings.alerts import FileAlert, WebhookAlert
from syncer.state import StateStore
from syncer.state.outbox import Outbox
from tests.alerts.jobs import jsonl, run, set_status, write_settings
from tests.alerts.receiver import receiver

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FILE_SINK = '\n[[alerts]]\nkind = "file"\npath = "{path}"\n'


def test_ten_runs_over_an_unchanged_breach_alert_once_and_resolving_alerts_once(
    tmp_path: Path, backlog: Path, state_url: str
) -> None:
    sink = tmp_path / "alerts.jsonl"
    settings = write_settings(tmp_path, backlog, state_url, FILE_SINK.format(path=sink))

    sent = [run(settings, now=T0 + timedelta(minutes=30 * n)).alerts.sent for n in range(10)]

    assert sent == [1] + [0] * 9
    messages = jsonl(sink)
    assert [(m["event"], m["episode"]["key"]) for m in messages] == [("started", "local/status/In Progress")]
    assert messages[0]["subject"]["count"] == 2
    assert messages[0]["subject"]["limit"] == 1

    set_status(backlog, "T-2", "Done", "done")
    after = [run(settings, now=T0 + timedelta(hours=6, minutes=30 * n)).alerts.sent for n in range(3)]

    assert after == [1, 0, 0]
    assert [m["event"] for m in jsonl(sink)] == ["started", "resolved"]


def test_a_lasting_breach_is_reminded_every_remind_after(tmp_path: Path, backlog: Path, state_url: str) -> None:
    sink = tmp_path / "alerts.jsonl"
    extra = FILE_SINK.format(path=sink) + 'remind_after = "24h"\n'
    settings = write_settings(tmp_path, backlog, state_url, extra)

    for hours in (0, 1, 23, 24, 30, 47, 48):
        run(settings, now=T0 + timedelta(hours=hours))

    assert [m["event"] for m in jsonl(sink)] == ["started", "reminder", "reminder"]


def test_a_failing_webhook_is_retried_next_run_and_delivered_once(
    tmp_path: Path, backlog: Path, state_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALERT_SECRET", "s3cret-shared")
    with receiver(fail_first=1) as hook:
        extra = f'\n[[alerts]]\nkind = "webhook"\nurl = "{hook.url}/hook"\nsecret_env = "ALERT_SECRET"\n'
        settings = write_settings(tmp_path, backlog, state_url, extra)

        first = run(settings, now=T0)
        assert (first.alerts.sent, first.alerts.failed, first.alerts.pending) == (0, 1, 1)
        assert "HTTP 500" in first.alerts.errors[0]

        second = run(settings, now=T0 + timedelta(minutes=30))
        assert (second.alerts.sent, second.alerts.failed, second.alerts.pending) == (1, 0, 0)

        third = run(settings, now=T0 + timedelta(hours=1))
        assert (third.alerts.sent, third.alerts.pending) == (0, 0)

    assert [r.status for r in hook.requests] == [500, 200]
    failed, delivered = hook.requests
    assert failed.body == delivered.body, "a retry sends the very same message"
    assert verify(delivered.body, delivered.headers[SIGNATURE_HEADER], "s3cret-shared")
    payload = json.loads(delivered.body)
    assert payload["event"] == "started"
    assert delivered.headers["X-Syncer-Delivery"] == payload["id"]
    assert "s3cret-shared" not in delivered.body.decode()


def test_a_slack_url_never_appears_in_errors_or_logs(
    tmp_path: Path, backlog: Path, state_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with receiver(fail_first=5, fail_status=403) as slack:
        secret_url = f"{slack.url}/services/T0001/B0002/XOXTOKEN123"
        extra = f'\n[[alerts]]\nkind = "slack"\nwebhook_url = "{secret_url}"\n'
        settings = write_settings(tmp_path, backlog, state_url, extra)
        result = run(settings, now=T0)

    assert result.alerts.pending == 1
    store = StateStore.open(state_url)
    try:
        pending = Outbox(store.engine).pending(["slack"], ["local"])
        with store.engine.connect() as conn:
            stored_error = conn.exec_driver_sql("SELECT last_error FROM deliveries").scalar()
    finally:
        store.close()
    assert len(pending) == 1
    assert stored_error == "slack destination 'slack': answered HTTP 403 Forbidden"
    assert "XOXTOKEN123" not in caplog.text
    assert all("XOXTOKEN123" not in e for e in result.alerts.errors)


def test_destinations_filter_by_tracker_and_team(tmp_path: Path, backlog: Path, state_url: str) -> None:
    ours, theirs, other = tmp_path / "eng.jsonl", tmp_path / "design.jsonl", tmp_path / "other.jsonl"
    extra = (
        f'\n[[alerts]]\nkind = "file"\nname = "eng"\npath = "{ours}"\nteams = ["ENG"]\n'
        f'\n[[alerts]]\nkind = "file"\nname = "design"\npath = "{theirs}"\nteams = ["DES"]\n'
        f'\n[[alerts]]\nkind = "file"\nname = "other"\npath = "{other}"\ntrackers = ["jira"]\n'
    )
    settings = write_settings(tmp_path, backlog, state_url, extra)
    run(settings, now=T0)
    assert len(jsonl(ours)) == 1
    assert jsonl(theirs) == []
    assert jsonl(other) == []


def test_two_destinations_with_one_name_are_a_config_error(tmp_path: Path) -> None:
    # The name is the destination's identity in the state store: two sharing one would share episodes (the
    # second never hears of a breach the first already alerted) and only one of them would ever be sent to.
    entries = [
        FileAlert(kind="file", name="ops", path=tmp_path / "a.jsonl"),
        FileAlert(kind="file", name="ops", path=tmp_path / "b.jsonl"),
    ]
    with httpx.Client() as client:
        with pytest.raises(ConfigError, match=r"alerts\[1\]\.name: .*'ops'"):
            build(entries, client)
        # An explicit name that repeats another entry's default name collides the same way.
        implicit = [
            WebhookAlert(kind="webhook", url="http://127.0.0.1:9/h"),
            FileAlert(kind="file", name="webhook", path=tmp_path / "c"),
        ]
        with pytest.raises(ConfigError, match=r"alerts\[1\]\.name"):
            build(implicit, client)


def test_a_destination_that_raises_unexpectedly_does_not_stop_the_others(tmp_path: Path, backlog: Path) -> None:
    # httpx raises InvalidURL (not an HTTPError) for a URL it cannot parse; that must be this destination's
    # failure, kept and retried, not an exception that fails the run and starves every other destination.
    sink = tmp_path / "alerts.jsonl"
    extra = '\n[[alerts]]\nkind = "webhook"\nurl = "http://[::1/hook"\n' + FILE_SINK.format(path=sink)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    settings = write_settings(tmp_path, backlog, url, extra)

    result = run(settings, now=T0)

    assert [m["event"] for m in jsonl(sink)] == ["started"]
    assert (result.alerts.sent, result.alerts.failed, result.alerts.pending) == (1, 1, 1)
    assert result.alerts.errors == ["webhook destination 'webhook': failed unexpectedly (InvalidURL)"]
    store = StateStore.open(url)
    try:
        assert store.runs()[0]["outcome"] == "ok"
    finally:
        store.close()
