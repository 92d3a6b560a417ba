"""The command line as a user meets it: `run --json` contract, `plan`, `demo`, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from syncer.cli import main

REPO = Path(__file__).resolve().parents[2]
SUMMARY_KEYS = {
    "issues",
    "scored",
    "needs_input",
    "fields_written",
    "comments_written",
    "wip_breaches",
    "errors",
}


def test_run_json_contract(write_config, backlog_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "--config", str(write_config(backlog=backlog_path)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data.keys() >= SUMMARY_KEYS
    assert (data["issues"], data["scored"], data["needs_input"], data["wip_breaches"]) == (8, 7, 1, 1)


def test_plan_prints_table_and_writes_nothing(write_config, backlog_path: Path) -> None:
    before = backlog_path.read_bytes()
    result = CliRunner().invoke(main, ["plan", "--config", str(write_config(backlog=backlog_path))])
    assert result.exit_code == 0
    assert "T-8" in result.stdout and "score: ∅ → 640" in result.stdout
    assert "nothing was written" in result.stdout
    assert backlog_path.read_bytes() == before


def test_run_dry_run_equals_plan(write_config, backlog_path: Path) -> None:
    before = backlog_path.read_bytes()
    result = CliRunner().invoke(main, ["run", "--dry-run", "--config", str(write_config(backlog=backlog_path))])
    assert result.exit_code == 0
    assert "create" in result.stdout
    assert backlog_path.read_bytes() == before


def test_help_documents_exit_codes() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "Exit codes" in result.output and "4  another run holds the run lock" in result.output
    for command in ("run", "plan", "demo"):
        assert CliRunner().invoke(main, [command, "--help"]).exit_code == 0


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "syncer" in result.output


def _syncer(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "syncer", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )


def test_demo_end_to_end_in_a_fresh_folder(tmp_path: Path) -> None:
    shipped = (REPO / "syncer" / "demo" / "data" / "demo-backlog.json").read_bytes()
    first = _syncer(tmp_path, "demo", "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["scored"] > 0 and data["needs_input"] > 0 and data["wip_breaches"] > 0
    assert data["fields_written"] > 0 and data["comments_written"] > 0
    assert (tmp_path / ".demo" / "backlog.json").exists()
    second = json.loads(_syncer(tmp_path, "demo", "--json").stdout)
    assert (second["fields_written"], second["comments_written"]) == (0, 0)
    reset = json.loads(_syncer(tmp_path, "demo", "--reset", "--json").stdout)
    assert reset["fields_written"] == data["fields_written"]
    assert (REPO / "syncer" / "demo" / "data" / "demo-backlog.json").read_bytes() == shipped
