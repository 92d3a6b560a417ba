"""`syncer sandbox jira` as a user runs it: a process serving the demo backlog, synced by `syncer run`."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from connectors.jira.sandbox.state import JiraState
from syncer.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_sandbox_process_serves_the_demo_backlog_for_a_real_sync_and_saves_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "jira.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncer", "sandbox", "jira", "--port", "0", "--state", str(state)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        url = re.search(r"at (http://127\.0\.0\.1:\d+)", banner)
        assert url, banner
        snippet = []
        for line in proc.stderr:
            if line.startswith("[[trackers]]") or snippet:
                snippet.append(line)
            if line.startswith("bucket ="):
                break
        config = tmp_path / "syncer.toml"
        config.write_text(f'workdir = "{tmp_path / "work"}"\n' + "".join(snippet), encoding="utf-8")

        result = CliRunner().invoke(main, ["run", "--config", str(config), "--json"])

        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["issues"] > 150 and summary["comments_written"] == summary["issues"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    saved = JiraState.load(state)
    assert sum(1 for i in saved.issues if i.comments) == summary["issues"]


def test_sandbox_command_serves_rate_limits_and_anonymous_access_as_asked(monkeypatch) -> None:
    import requests

    from connectors.sandbox_http import SandboxHTTPServer

    seen: dict[str, requests.Response] = {}

    def serve_briefly(server: SandboxHTTPServer) -> None:
        with server:
            field = f"{server.url}/rest/api/3/field"
            seen["first"] = requests.get(field, auth=("bot@acme.test", "demo-token"), timeout=5)
            seen["second"] = requests.get(field, auth=("bot@acme.test", "demo-token"), timeout=5)
            body = {"jql": "project = ACME", "fields": ["summary"]}
            seen["anonymous"] = requests.post(f"{server.url}/rest/api/3/search/jql", json=body, timeout=5)

    monkeypatch.setattr(SandboxHTTPServer, "serve_forever", serve_briefly)
    monkeypatch.setattr("syncer.cli.sandbox._stop_on_sigterm", lambda: None)

    args = ["sandbox", "jira", "--port", "0", "--issues", "5", "--burst", "1", "--no-retry-after"]
    result = CliRunner().invoke(main, [*args, "--anonymous", "hidden"])

    assert result.exit_code == 0, result.output
    assert seen["first"].status_code == 200
    assert seen["second"].status_code == 429 and "Retry-After" not in seen["second"].headers
    assert seen["second"].headers["RateLimit-Reason"] == "jira-burst-based"
    assert seen["anonymous"].status_code == 400  # the project is hidden from the anonymous user
