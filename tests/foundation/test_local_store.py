"""The local tracker file is replaced all-or-nothing: a crash never leaves a half-written backlog."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from connectors.errors import TrackerConfigError, TrackerUnavailable
from connectors.local.store import atomic_write_json, load_backlog


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    atomic_write_json(path, {"version": 1, "issues": [{"key": "A-1"}]})
    assert load_backlog(path)["issues"] == [{"key": "A-1"}]


def test_crash_before_rename_keeps_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.json"
    original = {"version": 1, "issues": [{"key": "A-1", "title": "old"}]}
    path.write_text(json.dumps(original))

    def crash(src: str, dst: str) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        atomic_write_json(path, {"version": 1, "issues": [{"key": "A-1", "title": "new"}]})
    assert json.loads(path.read_text()) == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]


def test_crash_while_serialising_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"version": 1, "issues": []}')
    with pytest.raises(TypeError):
        atomic_write_json(path, {"version": 1, "issues": [object()]})
    assert json.loads(path.read_text()) == {"version": 1, "issues": []}
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]


def test_write_is_fsynced_before_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    atomic_write_json(tmp_path / "b.json", {"version": 1, "issues": []})
    assert calls.index("fsync") < calls.index("replace")


def test_missing_file_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(TrackerUnavailable, match="does not exist"):
        load_backlog(tmp_path / "none.json")


def test_malformed_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"version": 1,\n "issues": [}')
    with pytest.raises(TrackerConfigError, match="line 2"):
        load_backlog(path)
