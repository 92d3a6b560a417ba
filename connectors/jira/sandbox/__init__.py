"""A stateful Jira look-alike on 127.0.0.1 for tests, the benchmark, `syncer sandbox jira` and `syncer demo`.

    sandbox = JiraSandbox(seed.synthetic(1000), state_path=None)
    with sandbox.serve(faults=FaultConfig(rate=0.2)) as server:
        ...  # server.url, server.requests; sandbox.state is the instance's data

Credentials it accepts: Cloud mode, basic auth with `state.account.email` and `state.account.token`
(demo: "bot@acme.test" / "demo-token"); Data Center mode, that token as a Bearer personal access token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from connectors.jira.sandbox import seed
from connectors.jira.sandbox.access import Access
from connectors.jira.sandbox.app import JiraApp
from connectors.jira.sandbox.ratelimit import RateLimits
from connectors.jira.sandbox.state import JiraState, Mode
from connectors.sandbox_http import FaultConfig, SandboxHTTPServer

__all__ = ["DEMO_EMAIL", "DEMO_TOKEN", "Access", "JiraSandbox", "RateLimits", "demo_credentials", "start_demo_sandbox"]

DEMO_EMAIL = "bot@acme.test"
DEMO_TOKEN = "demo-token"  # noqa: S105  (the sandbox's published demo credential)
STATE_FILE = "jira-state.json"


class JiraSandbox:
    def __init__(
        self,
        state: JiraState | None = None,
        *,
        state_path: Path | None = None,
        mode: Mode = "cloud",
        page_cap: int = 100,
        dc_max_results: int = 1000,
        validate: bool = True,
        rate_limits: RateLimits | None = None,
        access: Access | None = None,
    ) -> None:
        """`state_path`, when it exists, wins over `state`; `save()` writes back to it."""
        if state_path is not None and state_path.exists():
            state = JiraState.load(state_path)
        self.state = state or JiraState(mode=mode)
        self.state_path = state_path
        self.app = JiraApp(
            self.state,
            page_cap=page_cap,
            dc_max_results=dc_max_results,
            validate=validate,
            rate_limits=rate_limits,
            access=access,
        )

    def serve(self, *, host: str = "127.0.0.1", port: int = 0, faults: FaultConfig | None = None) -> SandboxHTTPServer:
        """A server for this sandbox (not started: use it as a context manager or call `start()`)."""
        server = SandboxHTTPServer(self.app, host=host, port=port, faults=faults)
        self.app.base_url = server.url
        return server

    def save(self) -> None:
        if self.state_path is not None:
            with self.app.lock:
                self.state.save(self.state_path)


def _demo_backlog() -> Path:
    from syncer.demo.workspace import config_dir

    return config_dir() / "demo-backlog.json"


def demo_sandbox(state_dir: Path, *, mode: Mode = "cloud") -> JiraSandbox:
    """The demo's sandbox: state from `state_dir` when a previous run left it, else seeded from the demo backlog."""
    path = state_dir / STATE_FILE
    if path.exists():
        return JiraSandbox(state_path=path)
    state = seed.from_demo_backlog(_demo_backlog(), mode=mode)
    state.account.email, state.account.token = DEMO_EMAIL, DEMO_TOKEN
    return JiraSandbox(state, state_path=path)


@contextlib.contextmanager
def start_demo_sandbox(state_dir: Path) -> Iterator[str]:
    """Serve the demo sandbox on a free loopback port; yield its base URL; save its state on the way out."""
    sandbox = demo_sandbox(state_dir)
    with sandbox.serve() as server:
        try:
            yield server.url
        finally:
            sandbox.save()


def demo_credentials() -> dict[str, Any]:
    """Settings overrides for a `[[trackers]]` entry pointed at the demo sandbox."""
    return {"email": DEMO_EMAIL, "token": SecretStr(DEMO_TOKEN), "token_env": None, "token_file": None}
