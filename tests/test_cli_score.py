"""`syncer score FILE`: CSV and JSON input, the JSON Lines / CSV / table outputs, and exit 2 for bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syncer.cli import main
from syncer.cli.score import score_command
from syncer.exitcodes import ExitCode

HEADER = "key,summary,reach,impact,confidence,effort"
ROWS = [
    "ACME-10,Ten,100,high,80%,2",
    "ACME-1,Missing reach,,high,80,2",
    'ACME-2,"Two, with a comma",500,massive,high,1',
    "ACME-9,Nine,100,High, 80 % ,2",
    "ACME-3,Zero effort,100,low,50,0",
]
EXPECTED_ORDER = ["ACME-2", "ACME-9", "ACME-10", "ACME-1", "ACME-3"]


def write_csv(tmp_path: Path, *, bom: bool = False, newline: str = "\n", name: str = "backlog.csv") -> Path:
    text = newline.join([HEADER, *ROWS]) + newline
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(score_command, [str(a) for a in args])


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def test_score_is_a_command_of_the_main_group() -> None:
    assert main.commands.get("score") is score_command


@pytest.mark.parametrize(("bom", "newline"), [(False, "\n"), (True, "\n"), (False, "\r\n"), (True, "\r\n")])
def test_csv_with_or_without_bom_and_crlf(tmp_path: Path, bom: bool, newline: str) -> None:
    result = invoke(write_csv(tmp_path, bom=bom, newline=newline), "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["key"] for row in json_lines(result.output)] == EXPECTED_ORDER


def test_json_lines_contract(tmp_path: Path) -> None:
    result = invoke(write_csv(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json_lines(result.output)
    for row in rows:
        assert list(row) == ["key", "score", "rank", "bucket", "status", "problems"]
    assert rows[0] == {
        "key": "ACME-2",
        "score": 1500.0,
        "rank": 1,
        "bucket": "Now",
        "status": "scored",
        "problems": [],
    }
    # ACME-9 and ACME-10 tie on score and effort: natural key order puts 9 first.
    assert [(r["key"], r["rank"], r["bucket"]) for r in rows[:3]] == [
        ("ACME-2", 1, "Now"),
        ("ACME-9", 2, "Next"),
        ("ACME-10", 3, "Later"),
    ]
    assert rows[1]["score"] == pytest.approx(80.0)
    # needs_input rows come after, in file order, with no score, rank or bucket.
    assert rows[3] == {
        "key": "ACME-1",
        "score": None,
        "rank": None,
        "bucket": None,
        "status": "needs_input",
        "problems": [{"input": "reach", "message": "reach is missing; expected a number of 0 or more"}],
    }
    assert rows[4]["key"] == "ACME-3"
    assert rows[4]["problems"] == [
        {"input": "effort", "message": "effort is 0; it must be greater than 0 (it divides the score)"}
    ]


def test_csv_output_has_the_same_columns(tmp_path: Path) -> None:
    source = tmp_path / "two-problems.csv"
    source.write_text("key,reach,impact,confidence,effort\nB-1,-1,huge,80,1\nB-2,10,1,100,1\n", encoding="utf-8")
    result = invoke(source, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["key", "score", "rank", "bucket", "status", "problems"]
    assert rows[0] == {"key": "B-2", "score": "10.0", "rank": "1", "bucket": "Now", "status": "scored", "problems": ""}
    assert rows[1]["status"] == "needs_input"
    assert rows[1]["score"] == rows[1]["rank"] == rows[1]["bucket"] == ""
    assert rows[1]["problems"] == (
        "reach is -1; it must be 0 or more; impact 'huge' is not a number or one of: massive, high, medium, low, minimal"
    )


def test_table_is_the_default(tmp_path: Path) -> None:
    result = invoke(write_csv(tmp_path))
    assert result.exit_code == 0, result.output
    assert "ACME-2" in result.output and "1500.00" in result.output
    assert "3 scored, 2 needing input" in result.output


@pytest.mark.parametrize("wrapped", [False, True])
def test_json_input(tmp_path: Path, wrapped: bool) -> None:
    issues = [
        {"key": "L-1", "summary": "small", "reach": 10, "impact": 1, "confidence": 100, "effort": 1},
        {"key": "L-2", "reach": "200", "impact": "high", "confidence": "80%", "effort": 4},
        {"key": "L-3", "reach": 5, "impact": [1, 2], "confidence": 100, "effort": 1},
    ]
    path = tmp_path / "backlog.json"
    path.write_text(json.dumps({"issues": issues} if wrapped else issues), encoding="utf-8")
    result = invoke(path, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json_lines(result.output)
    assert [(r["key"], r["status"]) for r in rows] == [("L-2", "scored"), ("L-1", "scored"), ("L-3", "needs_input")]
    assert rows[2]["problems"][0]["input"] == "impact"


def test_model_option_and_config_file(tmp_path: Path) -> None:
    backlog = tmp_path / "ice.csv"
    backlog.write_text("key,impact,confidence,ease\nI-1,High,5,5\nI-2,3,5,5\n", encoding="utf-8")
    config = tmp_path / "syncer.toml"
    config.write_text('[scoring]\nmodel = "rice"\n[scoring.words.impact]\nHigh = 9\n', encoding="utf-8")
    result = invoke(backlog, "--config", config, "--model", "ice", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["key"], r["score"]) for r in json_lines(result.output)] == [("I-1", 225.0), ("I-2", 75.0)]


def test_weighted_from_config(tmp_path: Path) -> None:
    backlog = tmp_path / "w.csv"
    backlog.write_text("key,value,cost\nW-1,4,2\nW-2,5,5\n", encoding="utf-8")
    config = tmp_path / "syncer.toml"
    config.write_text(
        '[scoring]\nmodel = "weighted"\n'
        '[[scoring.criteria]]\nname = "value"\nweight = 3\n'
        '[[scoring.criteria]]\nname = "cost"\nweight = 1\ninvert = true\n',
        encoding="utf-8",
    )
    result = invoke(backlog, "--config", config, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["key"], r["score"]) for r in json_lines(result.output)] == [("W-1", 4.0), ("W-2", 4.0)]


def test_weighted_without_config_exits_2(tmp_path: Path) -> None:
    result = invoke(write_csv(tmp_path), "--model", "weighted")
    assert result.exit_code == ExitCode.CONFIG
    assert "--config" in result.output and "criteria" in result.output


def test_invalid_config_names_the_key_and_file(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[scoring]\nice_mode = "median"\n', encoding="utf-8")
    result = invoke(write_csv(tmp_path), "--config", config)
    assert result.exit_code == ExitCode.CONFIG
    assert "scoring.ice_mode" in result.output and str(config) in result.output


def test_model_option_does_not_hide_a_malformed_scoring_value(tmp_path: Path) -> None:
    config = tmp_path / "odd.toml"
    config.write_text("scoring = 3\n", encoding="utf-8")
    result = invoke(write_csv(tmp_path), "--config", config, "--model", "ice")
    assert result.exit_code == ExitCode.CONFIG
    assert "scoring" in result.output and "odd.toml" in result.output


def test_missing_config_exits_2(tmp_path: Path) -> None:
    result = invoke(write_csv(tmp_path), "--config", tmp_path / "nope.toml")
    assert result.exit_code == ExitCode.CONFIG
    assert "nope.toml" in result.output


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.csv", None, "missing.csv: cannot read"),
        ("nokey.csv", "id,reach\n1,2\n", "no 'key' column (columns: id, reach)"),
        ("empty.csv", "", "empty file"),
        ("bad.json", '[{"key": "A-1",}]', "bad.json:1:16: not valid JSON"),
        ("shape.json", '{"rows": []}', 'an object with an "issues" list'),
        ("item.json", '["A-1"]', "issue #1 is not an object"),
        ("nokey.json", '[{"summary": "x"}]', "issue #1 has no 'key'"),
        ("dup.csv", "key,reach\nA-1,1\nA-2,2\nA-1,3\n", "duplicate key 'A-1' at line 4 (first at line 2)"),
        ("dup.json", '[{"key": "A-1"}, {"key": "A-1"}]', "duplicate key 'A-1' at issue #2 (first at issue #1)"),
        ("emptykey.csv", "key,reach\n,1\n", "emptykey.csv:2: row has no 'key'"),
        ("wide.csv", "key,reach\nA-1,1,2\n", "wide.csv:2: 3 values but 2 columns"),
        ("quote.csv", 'key,reach\nA-1,"1"x\n', "not valid CSV"),
        ("latin1.csv", b"key,summary\nA-1,caf\xe9\n", "latin1.csv:2: not UTF-8"),
    ],
)
def test_bad_files_exit_2_naming_the_file(
    tmp_path: Path, name: str, content: str | bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = invoke(path)
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert expected in result.output


def test_csv_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    path.write_text('key,summary\nA-1,"two\nlines"\n,x\n', encoding="utf-8")
    assert "lines.csv:4: row has no 'key'" in invoke(path).output


def test_directory_is_an_unreadable_file(tmp_path: Path) -> None:
    result = invoke(tmp_path)
    assert result.exit_code == ExitCode.CONFIG
    assert str(tmp_path) in result.output


def test_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("syncer")
    assert script.exists(), f"console script not installed next to {sys.executable}"
    source = write_csv(tmp_path, bom=True, newline="\r\n")
    done = subprocess.run(
        [str(script), "score", str(source), "--format", "json"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert [row["key"] for row in json_lines(done.stdout)] == EXPECTED_ORDER
    bad = subprocess.run([str(script), "score", str(tmp_path / "nope.csv")], capture_output=True, text=True, timeout=60)
    assert bad.returncode == ExitCode.CONFIG
    assert "nope.csv" in bad.stderr


def test_spreadsheet_headers_match_inputs_ignoring_case_and_spaces(tmp_path: Path) -> None:
    source = tmp_path / "wsjf.csv"
    source.write_text(
        "Key,Summary,Business Value,Time-Criticality,RISK_REDUCTION,Job Size\nW-1,One,8,5,3,2\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["score", str(source), "--model", "wsjf", "--format", "json"])
    assert result.exit_code == 0, result.output
    [row] = json_lines(result.stdout)
    assert (row["key"], row["score"], row["status"]) == ("W-1", 8.0, "scored")
