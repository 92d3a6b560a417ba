"""Issue 8 §4: bad input never crashes the run; each problem is one line naming what to fix, before any write."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncer.cli import main
from tests.conftest import base_config


def _run(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["run", "--config", str(config), *args], env=env)


def _edit(backlog: Path, change: object) -> None:
    data = json.loads(backlog.read_text())
    change(data["issues"])  # type: ignore[operator]
    backlog.write_text(json.dumps(data, indent=1), encoding="utf-8")


def _one_line_error(result: Result) -> str:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.output.splitlines() if line.startswith("syncer:")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize(
    ("breakage", "reported"),
    [
        (lambda issues: issues.__setitem__(3, "T-4 as a string"), "record #4 at line "),
        (lambda issues: issues[3].__setitem__("fields", "Reach=5"), "fields is a string, not an object"),
        (lambda issues: issues[3].__setitem__("fields", [1, 2]), "fields is a list, not an object"),
        (lambda issues: issues[3].__setitem__("comments", ["looks good"]), "comments #1 is a string"),
        (lambda issues: issues[3].__setitem__("labels", "backend"), "labels is a string, not a list"),
        (lambda issues: issues[3].__setitem__("assignee", {"name": "ana"}), "assignee is an object, not text"),
    ],
)
def test_a_malformed_record_is_reported_and_skipped_and_the_others_are_synced(
    write_config, backlog_path: Path, breakage: object, reported: str
) -> None:
    # Measured: each of these crashed the whole run with AttributeError (exit 1, no JSON).
    _edit(backlog_path, breakage)
    result = _run(write_config(backlog=backlog_path), "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    records = [e for e in data["errors"] if e["kind"] == "record"]
    assert len(records) == 1 and reported in records[0]["message"], records
    assert data["issues"] == 7 and data["comments_written"] == 7
    issues = json.loads(backlog_path.read_text())["issues"]
    assert all(len(i["comments"]) == 1 for n, i in enumerate(issues) if n != 3 and isinstance(i, dict))


def test_two_records_with_one_key_refuse_the_file_naming_both_lines(write_config, backlog_path: Path) -> None:
    # Measured: every run added one more comment to the second record.
    _edit(backlog_path, lambda issues: issues[5].__setitem__("key", "T-2"))
    before = backlog_path.read_bytes()

    result = _run(write_config(backlog=backlog_path), "--json")

    assert result.exit_code == 2, result.output
    message = json.loads(result.stdout)["errors"][0]["message"]
    lines = [n for n, text in enumerate(before.decode().splitlines(), start=1) if text == "  {"]
    assert f"key 'T-2' is used by two records, record #2 at line {lines[1]} and record #6 at line {lines[5]}" in message
    assert backlog_path.read_bytes() == before


def _with_state(write_config, backlog: Path, url: str) -> Path:
    return write_config(base_config(backlog) + f'\n[state]\nurl = "{url}"\n')


def test_a_corrupt_state_database_is_one_line_and_nothing_is_written(
    write_config, backlog_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "state.db"
    db.write_bytes(b"this is not a database, just some text " * 200)
    before = backlog_path.read_bytes()
    result = _run(_with_state(write_config, backlog_path, f"sqlite:///{db}"))
    assert result.exit_code == 2, result.output
    line = _one_line_error(result)
    assert str(db) in line and "file is not a database" in line and "move it aside" in line
    assert backlog_path.read_bytes() == before


def test_a_truncated_state_database_is_one_line_and_nothing_is_written(
    write_config, backlog_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "state.db"
    config = _with_state(write_config, backlog_path, f"sqlite:///{db}")
    assert _run(config).exit_code == 0
    db.write_bytes(db.read_bytes()[:3000])  # past the header, into the first pages
    _edit(backlog_path, lambda issues: issues[0]["fields"].__setitem__("Reach", 12345))
    before = backlog_path.read_bytes()
    result = _run(config)
    assert result.exit_code == 2, result.output
    assert str(db) in _one_line_error(result)
    assert backlog_path.read_bytes() == before


def test_a_read_only_state_database_is_one_line_before_any_write(
    write_config, backlog_path: Path, tmp_path: Path
) -> None:
    # Measured: a traceback (exit 1) from the run lock's first write. SQLite's mode=ro stands in for a file the
    # user cannot write, which chmod cannot show when the tests run as root.
    db = tmp_path / "state.db"
    assert _run(_with_state(write_config, backlog_path, f"sqlite:///{db}")).exit_code == 0
    _edit(backlog_path, lambda issues: issues[0]["fields"].__setitem__("Reach", 12345))
    before = backlog_path.read_bytes()
    result = _run(_with_state(write_config, backlog_path, f"sqlite:///file:{db}?mode=ro&uri=true"))
    assert result.exit_code == 2, result.output
    assert "readonly database" in _one_line_error(result)
    assert backlog_path.read_bytes() == before


def test_a_state_file_inside_a_file_is_one_line_naming_the_key(
    write_config, backlog_path: Path, tmp_path: Path
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file", encoding="utf-8")
    result = _run(_with_state(write_config, backlog_path, f"sqlite:///{taken}/state.db"))
    assert result.exit_code == 2, result.output
    line = _one_line_error(result)
    assert "state.url" in line and f"cannot create the folder {taken}" in line


def test_an_unreachable_state_database_exits_3(write_config, backlog_path: Path) -> None:
    url = "postgresql+psycopg://syncer:hunter2@127.0.0.1:1/state?connect_timeout=2"
    result = _run(_with_state(write_config, backlog_path, url))
    assert result.exit_code == 3, result.output
    line = _one_line_error(result)
    assert "127.0.0.1:1" in line and "hunter2" not in line


def test_report_dir_pointing_at_a_file_stops_the_run_before_any_write(
    write_config, backlog_path: Path, tmp_path: Path
) -> None:
    # Measured: the tracker was written, then the report raised a traceback.
    taken = tmp_path / "taken"
    taken.write_text("a file", encoding="utf-8")
    before = backlog_path.read_bytes()
    result = _run(write_config(base_config(backlog_path) + f'\n[report]\ndir = "{taken}"\n'))
    assert result.exit_code == 2, result.output
    line = _one_line_error(result)
    assert "report.dir" in line and "is a file" in line
    assert backlog_path.read_bytes() == before


def test_report_dir_from_the_environment_names_the_variable(write_config, backlog_path: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file", encoding="utf-8")
    result = _run(write_config(backlog=backlog_path), env={"SYNCER_REPORT__DIR": str(taken / "reports")})
    assert result.exit_code == 2, result.output
    assert "environment variable SYNCER_REPORT__DIR" in _one_line_error(result)


def test_workdir_pointing_at_a_file_stops_the_run_before_any_write(
    write_config, backlog_path: Path, tmp_path: Path
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file", encoding="utf-8")
    before = backlog_path.read_bytes()
    result = _run(write_config(base_config(backlog_path, workdir=taken)))
    assert result.exit_code == 2, result.output
    line = _one_line_error(result)
    assert "workdir" in line and "is a file" in line
    assert backlog_path.read_bytes() == before


def test_the_backlog_keeps_its_mode_after_a_write(write_config, backlog_path: Path) -> None:
    # Measured: the atomic write turned a 664 backlog into 600 (the temporary file's mode).
    os.chmod(backlog_path, 0o664)
    result = _run(write_config(backlog=backlog_path))
    assert result.exit_code == 0, result.output
    assert json.loads(backlog_path.read_text())["issues"][0]["comments"]  # it was rewritten
    assert stat.S_IMODE(backlog_path.stat().st_mode) == 0o664


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may keep another user's ownership on a rewritten file")
def test_the_backlog_keeps_its_owner_and_group_after_a_write(write_config, backlog_path: Path) -> None:
    os.chown(backlog_path, 4321, 4321)
    result = _run(write_config(backlog=backlog_path))
    assert result.exit_code == 0, result.output
    st = backlog_path.stat()
    assert (st.st_uid, st.st_gid) == (4321, 4321)
