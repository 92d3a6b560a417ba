"""`syncer sandbox linear`: serves the demo workspace until stopped, prints a config entry, saves its state."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from connectors.sandbox_http import SandboxHTTPServer
from syncer.cli import main
from syncer.pipeline import run_sync
from tests.linear.conftest import linear_settings
from tests.linear.test_sandbox import DEMO_INPUTS


def test_sandbox_command_serves_syncs_and_saves_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "linear.json"
    command = [sys.executable, "-m", "syncer", "sandbox", "linear", "--port", "0", "--state", str(state)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/graphql) — 220 issues", first)
        assert match, first
        settings = linear_settings(match.group(1), tmp_path, teams=["ENG", "DES", "DATA"], inputs=DEMO_INPUTS)
        run = run_sync(settings).trackers[0]
        assert run.error is None and run.applied is not None and run.applied.issues_written > 100
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0
    saved = json.loads(state.read_text())
    assert len(saved["attachments"]) == run.applied.issues_written


def test_burst_option_limits_requests_per_second(monkeypatch: pytest.MonkeyPatch) -> None:
    answers: list[httpx.Response] = []

    def serve_briefly(server: SandboxHTTPServer) -> None:
        with server, httpx.Client(headers={"Authorization": "lin_api_demo"}) as client:
            for _ in range(6):  # one a second is allowed: six in a row cannot all pass
                answers.append(client.post(f"{server.url}/graphql", json={"query": "{ viewer { id } }"}))

    monkeypatch.setattr(SandboxHTTPServer, "serve_forever", serve_briefly)
    monkeypatch.setattr("syncer.cli.sandbox._stop_on_sigterm", lambda: None)
    result = CliRunner().invoke(main, ["sandbox", "linear", "--port", "0", "--issues", "2", "--burst", "1"])
    assert result.exit_code == 0, result.output
    assert answers[0].status_code == 200
    refused = [a for a in answers if a.status_code == 400]
    assert refused and refused[0].json()["errors"][0]["extensions"]["code"] == "RATELIMITED"
    assert refused[0].headers["X-RateLimit-Endpoint-Name"] == "burst"
