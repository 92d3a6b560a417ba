"""On a terminal: the run summary first, then a short alert digest; plan values as people write numbers."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.alerts.jobs import backlog, config_text, issue
from tests.ops.helpers import syncer

__all__ = ["backlog"]

ALERTS = """
[[alerts]]
kind = "console"

[[alerts]]
kind = "file"
path = "{path}"
"""


def _on_a_terminal(*args: str | Path) -> str:
    """Run syncer with stderr on a pseudo-terminal (as a person at a shell); return what it showed there."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncer", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**os.environ, "COLUMNS": "200", "TERM": "dumb", "SYNCER_LOG_FORMAT": "auto"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")


def test_the_summary_comes_first_then_a_digest_of_the_alerts(tmp_path: Path) -> None:
    # Twelve people with two items in progress each against a per-person limit of 1: twelve breaches.
    issues = [
        issue(n, status="In Progress", category="in_progress", assignee=f"dev{(n + 1) // 2}") for n in range(1, 25)
    ]
    path = tmp_path / "backlog.json"
    path.write_text(json.dumps({"version": 1, "issues": issues}), encoding="utf-8")
    alerts_file = tmp_path / "alerts.jsonl"
    config = tmp_path / "syncer.toml"
    text = config_text(tmp_path, path, f"sqlite:///{tmp_path}/state.db", ALERTS.format(path=alerts_file))
    config.write_text(text.replace("[wip]\n", "[wip]\nper_assignee = 1\n"), encoding="utf-8")

    shown = _on_a_terminal("run", "--config", config)

    summary_at = shown.index("syncer run")
    first_alert = shown.index("[ALERT]")
    assert summary_at < first_alert, "the summary is above the alerts"
    alerts = len(alerts_file.read_text(encoding="utf-8").splitlines())
    assert alerts == 13  # twelve people, plus the In Progress column (limit 1)
    assert f"alerts: {2 * alerts} sent (console {alerts}, file {alerts}), 0 pending" in shown
    assert shown.count("[ALERT]") == 5
    assert f"… {alerts - 5} more; every alert in full: {alerts_file}" in shown


def test_plan_shows_scores_as_people_write_them(tmp_path: Path) -> None:
    record = issue(1)
    record["fields"]["RICE Score"] = 15211.8
    path = tmp_path / "backlog.json"
    path.write_text(json.dumps({"version": 1, "issues": [record]}), encoding="utf-8")
    config = tmp_path / "syncer.toml"
    config.write_text(config_text(tmp_path, path, f"sqlite:///{tmp_path}/state.db"), encoding="utf-8")
    done = syncer("plan", "--config", config, env={"COLUMNS": "250"})
    assert done.returncode == 0, done.stderr
    assert "score: 15211.8 → 80" in done.stdout
    assert "e+04" not in done.stdout
