"""`syncer run --json` reports alerts; the second run over the same breach sends none."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from syncer.cli import main
from tests.alerts.jobs import config_text


def test_run_json_summary_counts_alerts_sent_and_pending(tmp_path: Path, backlog: Path, state_url: str) -> None:
    sink = tmp_path / "alerts.jsonl"
    config = tmp_path / "syncer.toml"
    config.write_text(config_text(tmp_path, backlog, state_url, f'\n[[alerts]]\nkind = "file"\npath = "{sink}"\n'))
    runner = CliRunner()

    first = runner.invoke(main, ["run", "--config", str(config), "--json"])
    second = runner.invoke(main, ["run", "--config", str(config), "--json"])

    assert first.exit_code == 0, first.output
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert (one["alerts_sent"], one["alerts_pending"], one["wip_breaches"]) == (1, 0, 1)
    assert (two["alerts_sent"], two["alerts_pending"], two["wip_breaches"]) == (0, 0, 1)
    assert two["run_id"] == one["run_id"] + 1
    assert len(sink.read_text().splitlines()) == 1
