"""Running the real `syncer` command in a subprocess (off a terminal, so its logs are JSON lines)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from syncer.cli import main


def syncer(
    *args: str | Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncer", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SYNCER_LOG_FORMAT": "auto", **(env or {})},
        check=False,
    )


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def syncer_here(*args: str | Path, env: Mapping[str, str] | None = None) -> Done:
    """The same command in this process (click's runner): no interpreter start-up, for tests that run many."""
    env = {"SYNCER_LOG_FORMAT": "auto", **(env or {})}
    result = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    return Done(result.exit_code, result.stdout, result.stderr)


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line as a JSON object; fails the test on the first line that is not one."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"stderr line {number} is not JSON: {line!r}") from exc
        assert isinstance(record, dict), line
        out.append(record)
    return out


def events(records: list[dict[str, Any]], name: str) -> Iterator[dict[str, Any]]:
    return (r for r in records if r["event"] == name)
