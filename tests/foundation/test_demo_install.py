"""`syncer demo` after a plain (non-editable) `pip install`, run from a folder that is not the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding a built (non-editable) syncer; its dependencies come from the test venv via a .pth
    line, so only syncer itself is installed (from a copy of the sources, so no build/ lands in the checkout)."""
    root = tmp_path_factory.mktemp("install")
    src = root / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for package in ("syncer", "connectors"):
        shutil.copytree(REPO / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The test venv's site-packages as a plain path: its editable-install hook (.pth) is not processed from there.
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(src)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return venv / "bin" / "syncer"


def _demo(syncer: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SYNCER_") and k != "PYTHONPATH"}
    return subprocess.run(
        [str(syncer), "demo", *args],
        cwd=cwd,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_installed_syncer_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [installed.parent / "python", "-c", "import syncer; print(syncer.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert not where.startswith(str(REPO)), where


def test_demo_runs_from_any_folder_after_pip_install(installed: Path, tmp_path: Path) -> None:
    result = _demo(installed, tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["scored"] > 0 and data["fields_written"] > 0
    assert (tmp_path / ".demo" / "backlog.json").is_file()
    again = json.loads(_demo(installed, tmp_path, "--json").stdout)
    assert (again["fields_written"], again["comments_written"]) == (0, 0)


def test_a_failed_start_leaves_no_demo_folder(installed: Path, tmp_path: Path) -> None:
    result = _demo(installed, tmp_path, SYNCER_SCORING__MODEL="nope")
    assert result.returncode == 2, result.stderr
    assert "scoring.model" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / ".demo").exists()
