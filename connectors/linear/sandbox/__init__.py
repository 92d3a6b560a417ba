"""A stateful Linear GraphQL server on loopback for tests, `syncer sandbox linear` and `syncer demo`.

It executes queries and mutations with graphql-core against Linear's official schema (`schema.graphql`), so a
query the real API rejects is rejected here too; charges complexity and answers RATELIMITED like Linear; and
injects the shared sandbox faults (5xx, delays, dropped connections) on request.

Credentials: the demo sandbox accepts the API key `lin_api_demo` (sent bare, as Linear expects: `Authorization:
lin_api_demo`) and the OAuth token `lin_oauth_demo` (sent as `Bearer lin_oauth_demo`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType

from pydantic import SecretStr

from connectors.linear.sandbox.app import GRAPHQL_PATH, LinearApp
from connectors.linear.sandbox.budget import RateLimits
from connectors.linear.sandbox.seed import demo_backlog, synthetic
from connectors.linear.sandbox.store import Workspace
from connectors.sandbox_http import FaultConfig, RequestRecord, SandboxHTTPServer

__all__ = [
    "DEMO_API_KEY",
    "DEMO_OAUTH_TOKEN",
    "LinearSandbox",
    "RateLimits",
    "Workspace",
    "demo_backlog",
    "demo_credentials",
    "start_demo_sandbox",
    "synthetic",
]

log = logging.getLogger(__name__)
# Not secrets: the sandbox's public demo credentials, documented in the module docstring and the README.
DEMO_API_KEY = "lin_api_demo"
DEMO_OAUTH_TOKEN = "lin_oauth_demo"  # noqa: S105
STATE_FILE = "linear-state.json"
LINEAR_FAULT_KINDS = ("503", "500", "delay", "drop")
"""The shared faults that make sense for Linear; its rate limits are answered by the app (HTTP 400 RATELIMITED),
never as the shared 429 fault."""


class LinearSandbox:
    """The app plus its HTTP server. `url` is the GraphQL endpoint; `requests` logs every request answered."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        api_keys: Iterable[str] | Mapping[str, str] = (DEMO_API_KEY,),
        oauth_tokens: Iterable[str] = (DEMO_OAUTH_TOKEN,),
        limits: RateLimits | None = None,
        faults: FaultConfig | None = None,
        ratelimit_rate: float = 0.0,
        max_complexity: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        state_path: Path | None = None,
    ) -> None:
        self.workspace = workspace
        self.app = LinearApp(
            workspace,
            api_keys=api_keys,
            oauth_tokens=oauth_tokens,
            limits=limits,
            ratelimit_rate=ratelimit_rate,
            max_complexity=max_complexity,
        )
        self.server = SandboxHTTPServer(self.app, host=host, port=port, faults=faults)
        self.url = self.server.url + GRAPHQL_PATH
        self.state_path = state_path

    @property
    def requests(self) -> list[RequestRecord]:
        return self.server.requests

    @property
    def faults(self) -> FaultConfig:
        """The shared faults in force (assign a new `FaultConfig` to change them mid-test)."""
        return self.server.faults

    @faults.setter
    def faults(self, value: FaultConfig) -> None:
        self.server.faults = value

    @property
    def operations(self) -> list[str]:
        """Names of the GraphQL operations executed (rejected requests are not listed)."""
        return self.app.operations

    def reset_log(self) -> None:
        self.server.reset_log()
        self.app.operations.clear()

    def save(self) -> None:
        if self.state_path is not None:
            self.workspace.save(self.state_path)

    def start(self) -> LinearSandbox:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        self.save()

    def __enter__(self) -> LinearSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def load_or_seed(state_path: Path | None, backlog: Path | None = None, *, issues: int = 0) -> Workspace:
    """The saved workspace, or a new one (the demo backlog, else `issues` synthetic issues) on first use."""
    if state_path is not None and state_path.exists():
        return Workspace.load(state_path)
    if backlog is not None:
        return demo_backlog(backlog)
    return synthetic(issues)


def _demo_backlog_path() -> Path:
    from syncer.demo.workspace import config_dir

    return config_dir() / "demo-backlog.json"


@contextlib.contextmanager
def start_demo_sandbox(state_dir: Path) -> Iterator[str]:
    """Serve the demo workspace (seeded from the demo backlog on first use) on a free loopback port.

    Yields the GraphQL URL; the workspace is saved to `state_dir/linear-state.json` on exit, so a second run
    sees what the first one wrote and writes nothing.
    """
    state_path = state_dir / STATE_FILE
    workspace = load_or_seed(state_path, _demo_backlog_path())
    with LinearSandbox(workspace, state_path=state_path) as sandbox:
        log.info("linear-sandbox.started url=%s state=%s", sandbox.url, state_path)
        yield sandbox.url


def demo_credentials() -> dict[str, SecretStr | None]:
    """Settings overrides that make a `[[trackers]]` entry use the demo sandbox's API key."""
    return {"token": SecretStr(DEMO_API_KEY), "token_env": None, "token_file": None}
