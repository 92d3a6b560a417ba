"""Two real `syncer run` processes on one state store: one runs, the other exits 4 naming the holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from syncer.exitcodes import ExitCode
from syncer.state import StateStore
from tests.alerts.jobs import backlog, config_text

__all__ = ["backlog"]


def _syncer(config: Path, *args: str, hold: float = 0) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "SYNCER_TEST_HOLD_LOCK_SECONDS"}
    if hold:
        env["SYNCER_TEST_HOLD_LOCK_SECONDS"] = str(hold)
    return subprocess.Popen(
        [sys.executable, "-m", "syncer", "run", "--config", str(config), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_locked(url: str, timeout: float = 20) -> None:
    """Until the first process holds the lock (its run row says "running")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        store = StateStore.open(url)
        try:
            if any(r["outcome"] == "running" for r in store.runs()):
                return
        finally:
            store.close()
        time.sleep(0.1)
    raise AssertionError("the first run never took the lock")


def _config(tmp_path: Path, backlog: Path, url: str, lease: float = 300) -> Path:
    path = tmp_path / "syncer.toml"
    path.write_text(config_text(tmp_path, backlog, url).replace("[report]", f"lease_seconds = {lease}\n\n[report]"))
    return path


def test_second_concurrent_run_exits_4_naming_the_holder(tmp_path: Path, backlog: Path, state_url: str) -> None:
    config = _config(tmp_path, backlog, state_url)
    first = _syncer(config, hold=8)  # long enough for a second interpreter to start on a busy machine
    try:
        _wait_until_locked(state_url)
        second = _syncer(config, "--json")
        out, err = second.communicate(timeout=30)
        assert second.returncode == ExitCode.LOCKED, err
        assert f"pid {first.pid}" in err
        assert "'local'" in err
        assert out == ""
        first_err = first.communicate(timeout=30)[1]
        assert first.returncode == ExitCode.OK, first_err
    finally:
        if first.poll() is None:
            first.kill()
    # And once the first is done, the next run goes ahead.
    third = _syncer(config)
    assert third.wait(timeout=30) == ExitCode.OK


def test_a_sigkilled_run_on_this_host_does_not_block_the_next_one(
    tmp_path: Path, backlog: Path, state_url: str
) -> None:
    # A long lease: only the holder's death, proven on this host, can free the lock this quickly.
    config = _config(tmp_path, backlog, state_url, lease=300)
    victim = _syncer(config, hold=60)
    _wait_until_locked(state_url)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=10)

    after = _syncer(config)
    err = after.communicate(timeout=30)[1]

    assert after.returncode == ExitCode.OK, err
    store = StateStore.open(state_url)
    try:
        outcomes = [r["outcome"] for r in store.runs()]
    finally:
        store.close()
    assert outcomes == ["ok", "crashed"], "the killed run's row is closed by the next run that got the lock"
