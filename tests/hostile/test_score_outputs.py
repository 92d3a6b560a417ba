"""`syncer score` on a hostile export: its CSV output is safe to open in a spreadsheet, its table safe to print."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from syncer.cli.score import score_command

EXPORT = (
    "key,summary,reach,impact,confidence,effort\n"
    '=1+1,"=HYPERLINK(""http://evil.test"",""x"")",100,high,80,2\n'
    '@SUM(1),"[bold red]marked[/bold red] \x1b]0;pwned\x07\x1b[2K",100,"=cmd|\' /C calc\'!A0",80,2\n'
)


def _export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def test_csv_output_neutralises_formulas_in_keys_and_messages(tmp_path: Path) -> None:
    result = CliRunner().invoke(score_command, [str(_export(tmp_path)), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["key"] for r in rows} == {"'=1+1", "'@SUM(1)"}
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values()), row
    assert next(r for r in rows if r["key"] == "'=1+1")["score"] == "80.0"


def test_table_prints_keys_and_titles_as_typed_without_terminal_escapes(tmp_path: Path) -> None:
    result = CliRunner().invoke(score_command, [str(_export(tmp_path))], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "[bold red]marked[/bold red]" in result.output
