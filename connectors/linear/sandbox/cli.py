"""What `syncer sandbox linear` runs: serve the Linear sandbox in the foreground until interrupted.

The click command itself lives with the other sandboxes in `syncer/cli/sandbox.py`; this module does the work.
"""

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

SNIPPET = """\
[[trackers]]
name = "sandbox"
kind = "linear"
url = "{url}"
token = "{key}"             # the sandbox's API key, sent bare as Linear expects
teams = [{teams}]
[trackers.inputs]
reach = "{reach}"
impact = "label:Impact"
confidence = "label:Confidence"
effort = "estimate"
[trackers.outputs]
attachment = true
bucket_label_group = "Priority bucket"
"""


def serve(
    *,
    port: int,
    state: Path | None,
    issues: int | None,
    fault_rate: float,
    fault_seed: int,
    ratelimit_rate: float,
    requests_per_hour: int,
    burst: int | None = None,
    latency: float = 0.0,
    broken: tuple[str, ...] = (),
) -> None:
    """Seed (or load `state`), serve on 127.0.0.1:`port`, save `state` on exit; `broken` names presets to apply."""
    from syncer.demo.workspace import config_dir

    backlog = None if issues else config_dir() / "demo-backlog.json"
    workspace = load_or_seed(state, backlog, issues=issues or 0)
    if broken:
        from connectors.linear.sandbox import presets

        presets.apply(workspace, *broken)
    sandbox = LinearSandbox(
        workspace,
        port=port,
        state_path=state,
        limits=RateLimits(requests=requests_per_hour, burst=burst),
        faults=FaultConfig(rate=fault_rate, seed=fault_seed, kinds=LINEAR_FAULT_KINDS, latency=latency),
        ratelimit_rate=ratelimit_rate,
    )
    teams = ", ".join(f'"{t["key"]}"' for t in workspace.teams.values())
    click.echo(f"Linear sandbox at {sandbox.url} — {len(workspace.issues)} issues, teams {teams}", err=True)
    click.echo(f'API key {DEMO_API_KEY!r} (sent bare); OAuth token {DEMO_OAUTH_TOKEN!r} (auth = "oauth")', err=True)
    click.echo("A matching tracker entry for syncer.toml:\n", err=True)
    reach = "customer_needs" if issues else "description:Reach"
    click.echo(SNIPPET.format(url=sandbox.url, key=DEMO_API_KEY, teams=teams, reach=reach), err=True)
    try:
        sandbox.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.save()
        if state is not None:
            click.echo(f"state saved to {state}", err=True)
