"""Metrics: pushed per tracker after `syncer run`, served by `syncer schedule` with `/healthz`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from syncer.health import Health
from syncer.settings import ScheduleSettings
from tests.alerts.jobs import backlog, config_text
from tests.ops.helpers import json_lines, syncer
from tests.ops.pushgateway import Pushgateway

__all__ = ["backlog"]

SECOND_TRACKER = """
[[trackers]]
name = "other"
kind = "local"
path = "{path}"
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Effort"
[trackers.outputs]
score = "RICE Score"
"""


@pytest.fixture
def gateway() -> Iterator[Pushgateway]:
    gw = Pushgateway().start()
    yield gw
    gw.stop()


def _config(tmp_path: Path, backlog: Path, extra: str) -> Path:
    other = tmp_path / "other.json"
    other.write_text(backlog.read_text(encoding="utf-8"), encoding="utf-8")
    config = tmp_path / "syncer.toml"
    text = config_text(tmp_path, backlog, f"sqlite:///{tmp_path}/state.db", SECOND_TRACKER.format(path=other) + extra)
    config.write_text(text, encoding="utf-8")
    return config


def test_a_run_pushes_each_trackers_figures_to_its_own_group(
    tmp_path: Path, backlog: Path, gateway: Pushgateway
) -> None:
    config = _config(tmp_path, backlog, f'\n[metrics]\npushgateway_url = "{gateway.url}"\njob = "backlog-sync"\n')
    before = time.time()

    done = syncer("run", "--config", config, "--json")

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert sorted(p.path for p in gateway.pushes) == [
        "/metrics/job/backlog-sync/tracker/local",
        "/metrics/job/backlog-sync/tracker/other",
    ]
    assert all(p.method == "PUT" for p in gateway.pushes), "a group is replaced, never merged with a stale run"
    for push in gateway.pushes:
        name = push.path.rsplit("/", 1)[1]
        t = next(t for t in summary["trackers"] if t["name"] == name)
        trackers_in_push = {dict(labels).get("tracker") for _, labels in push.samples}
        assert trackers_in_push == {name}, "a group holds only its own tracker's series"
        assert push.value("syncer_issues_pulled", tracker=name) == t["issues"] == 6
        assert push.value("syncer_issues_scored", tracker=name) == t["scored"]
        assert push.value("syncer_issues_needing_input", tracker=name) == t["needs_input"]
        assert push.value("syncer_fields_written", tracker=name) == t["fields_written"] > 0
        assert push.value("syncer_comments_written", tracker=name) == t["comments_written"]
        assert push.value("syncer_write_failures", tracker=name) == 0
        assert push.value("syncer_wip_breaches", tracker=name) == t["wip_breaches"]
        assert before - 1 <= push.value("syncer_last_success_timestamp_seconds", tracker=name) <= time.time() + 1
        assert push.value("syncer_run_duration_seconds", tracker=name) > 0
        assert "syncer_alerts_pending" in push.names() and "syncer_aging_items" in push.names()
    local = next(p for p in gateway.pushes if p.path.endswith("/local"))
    assert local.value("syncer_wip_breaches", tracker="local") == 1


def test_an_unreachable_pushgateway_is_logged_and_does_not_fail_the_run(tmp_path: Path, backlog: Path) -> None:
    config = _config(tmp_path, backlog, '\n[metrics]\npushgateway_url = "http://127.0.0.1:9"\npush_timeout = 2\n')
    done = syncer("run", "--config", config)
    assert done.returncode == 0, done.stderr
    failed = [r for r in json_lines(done.stderr) if r["event"] == "metrics.push-failed"]
    assert len(failed) == 2


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _wait_for(proc: subprocess.Popen[str], event: str, timeout: float = 60) -> tuple[dict[str, Any], list[str]]:
    assert proc.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        record = json.loads(line)
        if record["event"] == event:
            return record, seen
    raise AssertionError(f"no {event} within {timeout}s: {''.join(seen)}")


def test_schedule_serves_metrics_and_healthz(tmp_path: Path, backlog: Path) -> None:
    # A yearly cron: the only run in this test is the one --now asks for.
    config = _config(tmp_path, backlog, '\n[schedule]\ncron = "0 0 1 1 *"\n\n[metrics]\nport = 0\nhost = "127.0.0.1"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncer", "schedule", "--config", str(config), "--now"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SYNCER_LOG_FORMAT": "json"},
    )
    try:
        serving, _ = _wait_for(proc, "schedule.serving")
        finished, _ = _wait_for(proc, "run.finished")
        base = f"http://127.0.0.1:{serving['port']}"
        status, body = _get(base + "/metrics")
        assert status == 200
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body)
            for s in family.samples
        }
        assert samples[("syncer_issues_pulled", (("tracker", "local"),))] == 6
        assert samples[("syncer_issues_pulled", (("tracker", "other"),))] == 6
        assert samples[("syncer_fields_written", (("tracker", "local"),))] > 0
        assert samples[("syncer_last_run_success", (("tracker", "local"),))] == 1
        assert finished["issues"] == 12
        status, body = _get(base + "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_healthz_turns_stale_after_two_missed_slots() -> None:
    now = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
    clock = {"now": now}
    health = Health(ScheduleSettings(cron="*/30 * * * *"), clock=lambda: clock["now"], started=now)
    health.finished(now)
    assert health.status()[0]
    clock["now"] = now + timedelta(minutes=54)  # 10:59: the 10:30 slot missed, 11:00 not yet due
    assert health.status()[0]
    clock["now"] = now + timedelta(minutes=56)  # 11:01: two slots passed without a finished run
    ok, detail = health.status()
    assert not ok and detail["deadline"] == "2026-11-26T11:00:00+00:00"
    health.finished(clock["now"])
    assert health.status()[0]


def _sample(name: str, **labels: str) -> float:
    from syncer import metrics

    value = metrics.REGISTRY.get_sample_value(name, labels)
    return value or 0.0


def test_requests_retries_and_rate_limit_waits_are_counted_per_tracker_and_outcome() -> None:
    from connectors.jira.sandbox import JiraSandbox, seed
    from connectors.sandbox_http import FaultConfig
    from syncer.pipeline import run_sync
    from tests.jira.conftest import jira_settings, with_account

    faults = FaultConfig(rate=0.3, seed=3, kinds=("429", "500"), retry_after=0.01)
    server = JiraSandbox(with_account(seed.synthetic(60, mode="cloud"))).serve(faults=faults).start()
    name = "metrics-probe"
    before = {key: _sample(f"syncer_{key}_total", tracker=name) for key in ("retries", "rate_limit_waits")} | {
        "ok": _sample("syncer_api_requests_total", tracker=name, outcome="ok")
    }
    try:
        report = run_sync(jira_settings(server.url, name=name, deployment="cloud"))
    finally:
        server.stop()
    assert report.trackers[0].error is None, report.trackers[0].error
    answered = [r for r in server.requests if r.status]
    ok = sum(1 for r in answered if r.status < 400)
    assert _sample("syncer_api_requests_total", tracker=name, outcome="ok") - before["ok"] == ok
    limited = sum(1 for r in answered if r.status == 429)
    failed = sum(1 for r in answered if r.status == 500)
    assert limited and failed
    assert _sample("syncer_api_requests_total", tracker=name, outcome="rate_limited") == limited
    # Every refused request is counted; a wait only where a retry followed (not after the last attempt, nor
    # where the writer gives an issue up for this run), so the waits are at most the 429s.
    waits = _sample("syncer_rate_limit_waits_total", tracker=name) - before["rate_limit_waits"]
    retries = _sample("syncer_retries_total", tracker=name) - before["retries"]
    assert 0 < waits <= limited and 0 < retries <= failed
    assert waits + retries >= (limited + failed) * 0.8
