"""`syncer sandbox linear`: serves the demo workspace until stopped, prints a config entry, saves its state."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

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
