"""Every bench runs on a tiny input, so a bench cannot rot between the times someone measures with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

SMOKE = {
    "score_bench.py": ["--issues", "1000", "--repeat", "1"],
    "duplicates_bench.py": ["--issues", "500", "--titles", "mixed", "numbered"],
    "jira_sync_bench.py": ["--issues", "100", "--no-spec-validation"],
    "linear_sync_bench.py": ["--issues", "100"],
    "e2e_bench.py": ["--issues", "100", "--latency", "0", "--naive-sizes", "40", "80"],
    "e2e_bench.py --tracker linear": ["--tracker", "linear", "--issues", "100", "--latency", "0"],
    "report_bench.py": ["--issues", "200"],
}


def test_every_bench_has_a_smoke_run() -> None:
    assert {p.name for p in BENCH.glob("*_bench.py")} == {name.split()[0] for name in SMOKE}


@pytest.mark.parametrize("script", sorted(SMOKE))
def test_bench_runs_on_a_small_input(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / script.split()[0]), *SMOKE[script]], capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "a bench prints its table"
