"""Helpers for the fault and crash tests: real `syncer run` processes against the sandboxes over loopback HTTP.

Every scenario is judged the same way: after the faulty or killed runs and one clean run, the tracker must hold
exactly what a fault-free run leaves (owned values, one worker comment per issue with the same text, the same
recorded hash). Long variants carry the `reliability` marker (`make reliability`); `make test` runs a few seeds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from connectors.jira.adf import find_marker as jira_marker
from connectors.jira.adf import plain_text
from connectors.jira.sandbox import JiraSandbox, seed
from connectors.jira.sandbox.state import JiraState
from connectors.linear.sandbox import DEMO_API_KEY, LinearSandbox, Workspace
from connectors.sandbox_http import SandboxHTTPServer, SandboxRequest, SandboxResponse
from syncer.comments import find_marker, strip_marker

REPO = Path(__file__).resolve().parents[2]
EMAIL, TOKEN = "bot@acme.test", "reliability-token"
TOKEN_ENV = "RELIABILITY_TRACKER_TOKEN"
LINEAR_INPUTS = {"reach": "customer_needs", "impact": "label:Impact", "confidence": "label:Confidence"}

JIRA_TRACKER = """
[[trackers]]
name = "acme"
kind = "jira"
url = "{url}"
deployment = "cloud"
email = "{email}"
token_env = "{token_env}"
jql = "project = ACME AND statusCategory != Done ORDER BY key"
notify_users = false

[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"

[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
comment = true
"""

LINEAR_TRACKER = """
[[trackers]]
name = "product"
kind = "linear"
url = "{url}"
token_env = "{token_env}"
teams = ["ENG", "DES"]

[trackers.inputs]
reach = "customer_needs"
impact = "label:Impact"
confidence = "label:Confidence"
effort = "estimate"

[trackers.outputs]
attachment = true
comment = true
bucket_label_group = "Priority bucket"
"""


def write_config(
    folder: Path,
    tracker: str,
    url: str,
    *,
    state_url: str | None = None,
    max_attempts: int = 5,
    lease_seconds: float = 1.0,
    timeout: float | None = None,
) -> Path:
    """A `syncer.toml` for one tracker at `url`; the state store is SQLite in `folder` unless `state_url`."""
    folder.mkdir(parents=True, exist_ok=True)
    template = JIRA_TRACKER if tracker == "jira" else LINEAR_TRACKER
    state = f'url = "{state_url}"\n' if state_url else ""
    text = (
        f'workdir = "{folder / "work"}"\n\n'
        f"[state]\n{state}lease_seconds = {lease_seconds}\n\n"
        # Quick retries. On Jira a short timeout, so a "delay" fault longer than it is a write whose answer is
        # lost; the Linear sandbox executes every request against Linear's full schema and needs longer.
        f"[http]\ntimeout = {timeout or (2.0 if tracker == 'jira' else 20.0)}\nmax_attempts = {max_attempts}\n"
        # Four writes in flight at most (no adaptive growth), so a crash leaves a bounded number in doubt.
        "backoff_initial = 0.005\nbackoff_max = 0.02\nwrite_concurrency = 4\nmax_write_concurrency = 4\n"
        + template.format(url=url, email=EMAIL, token_env=TOKEN_ENV)
    )
    path = folder / "syncer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def env(tracker: str) -> dict[str, str]:
    return {**os.environ, TOKEN_ENV: TOKEN if tracker == "jira" else DEMO_API_KEY}


def syncer_run(config: Path, tracker: str, *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`syncer run` as a user starts it, to the end."""
    return subprocess.run(
        [sys.executable, "-m", "syncer", "run", "--config", str(config), "--json"],
        cwd=REPO,
        env=env(tracker),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def clean_run(config: Path, tracker: str, *, patience: float = 15.0) -> dict[str, Any]:
    """One `syncer run` without faults, to the end; waits out a run lock a killed run left behind (exit 4)."""
    deadline = time.monotonic() + patience
    while True:
        done = syncer_run(config, tracker)
        if done.returncode != 4 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def start_syncer_run(config: Path, tracker: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "syncer", "run", "--config", str(config), "--json"],
        cwd=REPO,
        env=env(tracker),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


# -- sandboxes ----------------------------------------------------------------------------------------------


def jira_state(n: int, *, rng_seed: int = 1) -> JiraState:
    state = seed.synthetic(n, mode="cloud", seed=rng_seed)
    state.account.email, state.account.token, state.account.admin = EMAIL, TOKEN, True
    return state


def linear_workspace(n: int, *, rng_seed: int = 7) -> Workspace:
    from connectors.linear.sandbox import synthetic

    return synthetic(n, teams=("ENG", "DES"), seed=rng_seed)


@dataclass
class Tap:
    """Wraps a sandbox app: counts applied writes, can slow them, and can SIGKILL a process right after one."""

    app: Callable[[SandboxRequest], SandboxResponse]
    is_write: Callable[[SandboxRequest], bool]
    latency: float = 0.0
    kill_after: int | None = None
    """SIGKILL `pid` once this many writes have been applied (before the answer to the last one goes out)."""
    kill_match: str = ""
    """Only writes whose "METHOD /path" matches this regex count towards `kill_after`."""
    pid: int | None = None
    writes: int = 0
    first_write_at: float | None = None
    last_write_at: float | None = None
    """`time.monotonic()` when the first and the last write were applied (reset them to time a run)."""
    in_flight: int = 0
    """Requests being applied now: a killed run's last requests may still be landing after its process is gone."""
    matched: int = 0
    killed_at: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        with self._lock:
            self.in_flight += 1
        try:
            return self._apply(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until no request is being applied, so the writes counted from now on are the next run's."""
        deadline = time.monotonic() + timeout
        time.sleep(0.05)  # a request the dead process had fully sent may not have reached the app yet
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)

    def _apply(self, request: SandboxRequest) -> SandboxResponse:
        write = self.is_write(request)
        if write and self.latency:
            threading.Event().wait(self.latency)
        response = self.app(request)
        if write and response.status < 400:
            with self._lock:
                self.writes += 1
                self.last_write_at = time.monotonic()
                if self.first_write_at is None:
                    self.first_write_at = self.last_write_at
                if re.search(self.kill_match, f"{request.method} {request.path}"):
                    self.matched += 1
                    if self.pid is not None and self.kill_after is not None and self.matched == self.kill_after:
                        self.killed_at = self.writes
                        os.kill(self.pid, signal.SIGKILL)
        return response


def jira_write(request: SandboxRequest) -> bool:
    return request.method in ("POST", "PUT", "DELETE") and "/search" not in request.path


def linear_write(request: SandboxRequest) -> bool:
    return b"mutation" in request.body[:200]


@pytest.fixture
def jira_server() -> Iterator[Callable[..., tuple[JiraSandbox, SandboxHTTPServer, Tap]]]:
    servers: list[SandboxHTTPServer] = []

    def start(state: JiraState, **faults: Any) -> tuple[JiraSandbox, SandboxHTTPServer, Tap]:
        from connectors.sandbox_http import FaultConfig

        sandbox = JiraSandbox(state, validate=False)
        tap = Tap(sandbox.app, jira_write)
        server = SandboxHTTPServer(tap, faults=FaultConfig(**faults) if faults else None)
        sandbox.app.base_url = server.url
        server.start()
        servers.append(server)
        return sandbox, server, tap

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def linear_server() -> Iterator[Callable[..., tuple[LinearSandbox, Tap]]]:
    started: list[LinearSandbox] = []

    def start(workspace: Workspace, **faults: Any) -> tuple[LinearSandbox, Tap]:
        from connectors.sandbox_http import FaultConfig

        sandbox = LinearSandbox(workspace, faults=FaultConfig(**faults) if faults else None)
        tap = Tap(sandbox.app, linear_write)
        sandbox.server.app = tap
        sandbox.start()
        started.append(sandbox)
        return sandbox, tap

    yield start
    for sandbox in started:
        sandbox.stop()


# -- what a user sees ---------------------------------------------------------------------------------------


def jira_outcome(state: JiraState) -> dict[str, Any]:
    """Per issue: owned values, the text of every worker comment, the hash recorded on the issue."""
    seen: dict[str, Any] = {}
    for issue in state.issues:
        ours = sorted(plain_text(c.body).strip() for c in issue.comments if jira_marker(c.body) is not None)
        recorded = (issue.properties.get("syncer.comment") or {}).get("hash")
        seen[issue.key] = (
            issue.values.get(seed.SCORE),
            issue.values.get(seed.RANK),
            issue.values.get(seed.BUCKET),
            ours,
            recorded,
        )
    return seen


def linear_outcome(workspace: Workspace) -> dict[str, Any]:
    """Per issue: the score card's metadata, the labels and the text of every worker comment."""
    seen: dict[str, Any] = {}
    for issue_id, issue in workspace.issues.items():
        cards = sorted(
            json.dumps(a.get("metadata"), sort_keys=True)
            for a in workspace.attachments.values()
            if a.get("issueId") == issue_id
        )
        ours = sorted(
            strip_marker(c["body"])
            for cid in issue.get("commentIds", [])
            if find_marker((c := workspace.comments[cid])["body"]) is not None
        )
        labels = sorted(workspace.labels[label]["name"] for label in issue.get("labelIds", []))
        seen[issue.get("identifier", issue_id)] = (cards, labels, ours)
    return seen


def duplicates(outcome: dict[str, Any], comments_at: int) -> int:
    """Worker comments beyond the first on each issue."""
    return sum(max(0, len(v[comments_at]) - 1) for v in outcome.values())
