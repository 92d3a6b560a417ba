"""`syncer plan` on the hostile backlog: the planned-changes table shows keys as typed, with no terminal escape."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from syncer.cli import main
from tests.conftest import base_config
from tests.hostile.backlog import HEADER_KEY, MARKUP_KEY, hostile_backlog


def test_plan_table_prints_hostile_keys_as_text(tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    backlog.write_text(json.dumps(hostile_backlog()), encoding="utf-8")
    config = tmp_path / "syncer.toml"
    config.write_text(
        base_config(backlog, tmp_path / "work") + '\n[state]\nurl = "sqlite:///' + str(tmp_path / "s.db") + '"\n'
    )

    result = CliRunner().invoke(main, ["plan", "--config", str(config)], env={"COLUMNS": "300", "NO_COLOR": "1", "TERM": "dumb"})

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert MARKUP_KEY in out  # rich would have taken "[bold red]" for markup and dropped it
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\x00" not in out
    assert HEADER_KEY.replace("\r\n", " ") in out
    assert "issue(s) would change; nothing was written (dry run)" in out
