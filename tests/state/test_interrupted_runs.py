"""SIGTERM/SIGINT to a real `syncer run` (and `syncer schedule`) in the middle of writing to a Jira sandbox:
it stops starting writes, exits 143/130 well within the grace, records the run as interrupted, frees its lock,
and the next run ends in exactly the state of a run that was never interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connectors.jira.sandbox import JiraSandbox, seed
from connectors.jira.sandbox.state import JiraState
from connectors.sandbox_http import FaultConfig, SandboxHTTPServer
from syncer.shutdown import GRACE_ENV, GRACE_SECONDS
from syncer.state import StateStore
from syncer.state.lock import acquire
from tests.jira.conftest import EMAIL, TOKEN, with_account, writes
from tests.jira.test_faults import outcome

ISSUES = 60
SLOW_WRITES = FaultConfig(rate=1.0, kinds=("delay",), delay=0.2, only=r"^(POST|PUT) /rest/api/3/issue/")
"""Every write takes 0.2 s: about 120 writes, 4 at a time, keep a run writing for several seconds."""


def _config(path: Path, url: str, state_url: str, schedule: str = "") -> Path:
    inputs = "\n".join(f'{k} = "{v}"' for k, v in seed.TRACKER_FIELDS["inputs"].items())
    outputs = "\n".join(f'{k} = "{v}"' for k, v in seed.TRACKER_FIELDS["outputs"].items())
    path.write_text(
        f"""
workdir = "{path.parent / "work"}"

[[trackers]]
name = "acme"
kind = "jira"
url = "{url}"
email = "{EMAIL}"
token = "{TOKEN}"
jql = "project = ACME AND statusCategory != Done ORDER BY key"
notify_users = false
[trackers.inputs]
{inputs}
[trackers.outputs]
{outputs}

[http]
timeout = 10.0
backoff_initial = 0.01
backoff_max = 0.05

[state]
url = "{state_url}"
lease_seconds = 300

[report]
enabled = false
{schedule}
""",
        encoding="utf-8",
    )
    return path


def _start(
    config: Path, command: str = "run", env: dict[str, str] | None = None, *args: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "syncer", command, "--config", str(config), *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _serve(state: JiraState, faults: FaultConfig | None = None) -> tuple[JiraSandbox, SandboxHTTPServer]:
    sandbox = JiraSandbox(with_account(state))
    return sandbox, sandbox.serve(faults=faults).start()


def _wait_for_writes(server: SandboxHTTPServer, count: int, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(writes(server)) < count:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.02)


def _runs(state_url: str) -> list[dict[str, object]]:
    store = StateStore.open(state_url)
    try:
        return store.runs()
    finally:
        store.close()


def _lock_is_free(state_url: str) -> bool:
    store = StateStore.open(state_url)
    try:
        with acquire(store, ["acme"], lease_seconds=300):
            return True
    except Exception:
        return False
    finally:
        store.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What one uninterrupted `syncer run` leaves in a fresh sandbox: the state to converge to."""
    sandbox, server = _serve(seed.synthetic(ISSUES, mode="cloud", seed=3))
    try:
        folder = tmp_path_factory.mktemp("reference")
        calm = _start(_config(folder / "syncer.toml", server.url, f"sqlite:///{folder / 'state.db'}"))
        assert calm.wait(timeout=120) == 0, calm.communicate()[1]
        return outcome(sandbox.state)
    finally:
        server.stop()


def _state_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


# Each signal on one backend keeps `make test` short; the lock's release is what differs between backends.
@pytest.mark.parametrize(
    ("backend", "signum"),
    [("sqlite", signal.SIGTERM), pytest.param("postgresql", signal.SIGINT, marks=pytest.mark.postgres)],
)
def test_a_signal_mid_write_stops_cleanly_and_the_next_run_converges(
    tmp_path: Path, request: pytest.FixtureRequest, reference: dict[str, object], backend: str, signum: int
) -> None:
    state_url = _state_url(backend, tmp_path, request)
    sandbox, server = _serve(seed.synthetic(ISSUES, mode="cloud", seed=3), SLOW_WRITES)
    try:
        config = _config(tmp_path / "syncer.toml", server.url, state_url)
        victim = _start(config, "run", None, "--json")
        _wait_for_writes(server, 8, victim)

        victim.send_signal(signum)
        sent = time.monotonic()
        out, err = victim.communicate(timeout=GRACE_SECONDS + 15)
        took = time.monotonic() - sent

        assert victim.returncode == 128 + signum, err
        assert took < GRACE_SECONDS, f"took {took:.1f}s to stop"
        assert "interrupted" in err and "Traceback" not in err, err
        written = len(writes(server))
        assert written < 2 * ISSUES, "the run went on writing after the signal"
        partial = json.loads(out)
        assert partial["interrupted"] == signal.Signals(signum).name
        assert 0 < partial["comments_written"] <= written
        [run] = _runs(state_url)
        assert run["outcome"] == "interrupted", run
        assert run["finished_at"] is not None
        assert signal.Signals(signum).name in str(run["error"])
        assert _lock_is_free(state_url)

        server.faults = FaultConfig()
        after = _start(config)
        assert after.wait(timeout=120) == 0, after.communicate()[1]
        assert outcome(sandbox.state) == reference
        scored = [ours for score, _rank, _bucket, ours, _hash in outcome(sandbox.state).values() if score is not None]
        assert scored and all(len(ours) == 1 for ours in scored)
        assert [r["outcome"] for r in _runs(state_url)] == ["ok", "interrupted"]
    finally:
        server.stop()


def test_writes_still_in_flight_at_the_end_of_the_grace_are_abandoned(tmp_path: Path, pg_url: str) -> None:
    state_url = pg_url  # the lock is released from the deadline's thread: the advisory-lock connection's case
    # Each write hangs for 5 s; the grace is 1 s: the run cannot wait for them and must still end in time.
    hanging = FaultConfig(rate=1.0, kinds=("delay",), delay=5.0, only=r"^(POST|PUT) /rest/api/3/issue/")
    _sandbox, server = _serve(seed.synthetic(12, mode="cloud", seed=3), hanging)
    try:
        victim = _start(_config(tmp_path / "syncer.toml", server.url, state_url), env={GRACE_ENV: "1"})
        deadline = time.monotonic() + 60
        while not any("search" in r.path for r in server.requests):  # pulled; the writes come next
            assert victim.poll() is None and time.monotonic() < deadline, victim.communicate()[1]
            time.sleep(0.02)
        time.sleep(1.0)  # several writes are now hanging

        victim.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        err = victim.communicate(timeout=30)[1]
        took = time.monotonic() - sent

        assert victim.returncode == 143, err
        assert took < 4, f"took {took:.1f}s; the grace is 1 s"
        assert "abandoned" in err, err
        [run] = _runs(state_url)
        assert run["outcome"] == "interrupted"
        assert _lock_is_free(state_url)
    finally:
        server.stop()


def test_a_signal_during_a_scheduled_run_interrupts_it_like_syncer_run(tmp_path: Path) -> None:
    state_url = f"sqlite:///{tmp_path / 'state.db'}"
    _sandbox, server = _serve(seed.synthetic(ISSUES, mode="cloud", seed=3), SLOW_WRITES)
    try:
        every_second = '\n[schedule]\ncron = "* * * * * *"\n'
        victim = _start(_config(tmp_path / "syncer.toml", server.url, state_url, every_second), "schedule")
        _wait_for_writes(server, 8, victim)

        victim.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        err = victim.communicate(timeout=GRACE_SECONDS + 15)[1]
        took = time.monotonic() - sent

        assert victim.returncode == 143, err
        assert took < GRACE_SECONDS, f"took {took:.1f}s to stop"
        assert [r["outcome"] for r in _runs(state_url)] == ["interrupted"]
        assert _lock_is_free(state_url)
    finally:
        server.stop()
