"""`syncer sandbox linear`: serve the Linear sandbox in the foreground (Ctrl-C stops it and saves the state)."""

from __future__ import annotations

from pathlib import Path

import click

from connectors.linear.sandbox import (
    DEMO_API_KEY,
    DEMO_OAUTH_TOKEN,
    LINEAR_FAULT_KINDS,
    LinearSandbox,
    load_or_seed,
)
from connectors.linear.sandbox.budget import RateLimits
from connectors.sandbox_http import FaultConfig


@click.command("linear")
@click.option("--port", type=int, default=8082, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option(
    "--state",
    "state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".demo/linear-sandbox/linear-state.json"),
    show_default=True,
    help="Workspace file: loaded when it exists, else seeded, and saved on exit.",
)
@click.option("--issues", type=int, default=0, help="Seed N synthetic issues (ENG, DES) instead of the demo backlog.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests given a fault.")
@click.option("--fault-seed", type=int, default=0, help="Seed for the fault sequence (replayable).")
@click.option("--ratelimit-rate", type=click.FloatRange(0, 1), default=0.0, help="Share answered RATELIMITED.")
@click.option("--requests-per-hour", type=int, default=RateLimits.requests, show_default=True)
@click.option("--complexity-per-hour", type=int, default=RateLimits.complexity, show_default=True)
def linear_command(
    port: int,
    state: Path,
    issues: int,
    fault_rate: float,
    fault_seed: int,
    ratelimit_rate: float,
    requests_per_hour: int,
    complexity_per_hour: int,
) -> None:
    """Serve a Linear GraphQL sandbox (Linear's schema, complexity, RATELIMITED) seeded with the demo backlog."""
    from syncer.demo.workspace import config_dir

    backlog = None if issues else config_dir() / "demo-backlog.json"
    workspace = load_or_seed(state, backlog, issues=issues)
    sandbox = LinearSandbox(
        workspace,
        port=port,
        state_path=state,
        limits=RateLimits(requests=requests_per_hour, complexity=complexity_per_hour),
        faults=FaultConfig(rate=fault_rate, seed=fault_seed, kinds=LINEAR_FAULT_KINDS),
        ratelimit_rate=ratelimit_rate,
    )
    click.echo(f"Linear sandbox on {sandbox.url} ({len(workspace.issues)} issues; state {state})", err=True)
    click.echo(f"API key: {DEMO_API_KEY} (Authorization: {DEMO_API_KEY}); OAuth: Bearer {DEMO_OAUTH_TOKEN}", err=True)
    try:
        sandbox.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.save()
        click.echo(f"saved {state}", err=True)
