"""`syncer sandbox <tracker>`: a stateful tracker look-alike on loopback, to try syncer without an account.

Each tracker adds its own subcommand to the `sandbox` group in its own function (`jira`, `linear`).
"""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

import click

from syncer.cli import main


@main.group("sandbox")
def sandbox_group() -> None:
    """Run a tracker sandbox on 127.0.0.1 (seeded with the demo backlog) until interrupted."""


def _stop_on_sigterm() -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)  # unwinds through `finally`, so the state file is saved

    signal.signal(signal.SIGTERM, stop)


JIRA_SNIPPET = """\
[[trackers]]
name = "sandbox"
kind = "jira"
url = "{url}"
deployment = "{mode}"
{email}token = "{token}"
jql = "project = {project} AND statusCategory != Done"
board_id = {board}
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"
[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
"""


@sandbox_group.command("jira")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0 picks a free port.")
@click.option("--mode", type=click.Choice(["cloud", "datacenter"]), default="cloud", show_default=True)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file that keeps the instance between starts (created on first use). Default: memory only.",
)
@click.option("--issues", type=click.IntRange(1), help="Seed this many synthetic issues instead of the demo backlog.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests that fail.")
@click.option("--fault-seed", type=int, default=0, help="Seed for the fault dice (same seed, same faults).")
@click.option(
    "--latency",
    type=click.FloatRange(0),
    default=0.0,
    help="Milliseconds each request waits before its answer (a real site's round trip), e.g. 50.",
)
@click.option(
    "--break",
    "broken",
    multiple=True,
    type=click.Choice(["field-off-screen", "no-comment-permission", "missing-bucket-option", "not-admin", "admin"]),
    help="Present a broken setup (for syncer doctor); repeatable.",
)
@click.option(
    "--burst", type=click.IntRange(1), help="Rate limit: requests per second per endpoint (jira-burst-based)."
)
@click.option("--per-issue-writes", type=click.IntRange(1), help="Rate limit: writes per second to one issue.")
@click.option("--quota", type=click.IntRange(1), help="Rate limit: requests per hour (jira-quota-tenant-based).")
@click.option("--no-retry-after", is_flag=True, help="Rate-limit answers carry only X-RateLimit-Reset.")
@click.option(
    "--anonymous",
    type=click.Choice(["off", "hidden", "public"]),
    default="off",
    show_default=True,
    help="Requests without credentials: 401 (off), or served as the anonymous user who cannot (hidden) or can "
    "(public) browse the project.",
)
def jira_command(
    port: int,
    mode: str,
    state_path: Path | None,
    issues: int | None,
    fault_rate: float,
    fault_seed: int,
    latency: float,
    broken: tuple[str, ...],
    burst: int | None,
    per_issue_writes: int | None,
    quota: int | None,
    no_retry_after: bool,
    anonymous: str,
) -> None:
    """A Jira Cloud or Data Center look-alike: search, fields, edit screens, comments, properties, board."""
    from connectors.jira.sandbox import DEMO_EMAIL, DEMO_TOKEN, Access, JiraSandbox, RateLimits, seed
    from connectors.jira.sandbox.state import Mode
    from connectors.sandbox_http import FaultConfig

    jira_mode: Mode = "cloud" if mode == "cloud" else "datacenter"
    limits = RateLimits(burst=burst, per_issue_writes=per_issue_writes, quota=quota, retry_after=not no_retry_after)
    access = Access(anonymous=anonymous != "off", anonymous_browse=anonymous == "public")
    if state_path is not None and state_path.exists():
        sandbox = JiraSandbox(state_path=state_path, rate_limits=limits, access=access)
    else:
        state = seed.synthetic(issues, mode=jira_mode) if issues else seed.from_demo_backlog(_backlog(), mode=jira_mode)
        state.account.email, state.account.token = DEMO_EMAIL, DEMO_TOKEN
        sandbox = JiraSandbox(state, state_path=state_path, rate_limits=limits, access=access)
    if broken:
        from connectors.jira.sandbox import presets

        presets.apply(sandbox.state, *broken)
    server = sandbox.serve(port=port, faults=FaultConfig(rate=fault_rate, seed=fault_seed, latency=latency / 1000))
    account = sandbox.state.account
    auth = f"e-mail {account.email}, API token" if sandbox.state.mode == "cloud" else "personal access token"
    click.echo(f"Jira sandbox ({sandbox.state.mode}) at {server.url} — {auth} {account.token!r}", err=True)
    click.echo("A matching tracker entry for syncer.toml:\n", err=True)
    snippet = JIRA_SNIPPET.format(
        url=server.url,
        mode=sandbox.state.mode,
        email=f'email = "{account.email}"\n' if sandbox.state.mode == "cloud" else "",
        token=account.token,
        project=sandbox.state.project,
        board=seed.BOARD_ID,
    )
    click.echo(snippet, err=True)
    _stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.save()
        if state_path is not None:
            click.echo(f"state saved to {state_path}", err=True)


@sandbox_group.command("linear")
@click.option("--port", type=click.IntRange(0, 65535), default=8081, show_default=True, help="0 picks a free port.")
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file that keeps the workspace between starts (created on first use). Default: memory only.",
)
@click.option("--issues", type=click.IntRange(1), help="Seed this many synthetic issues (ENG, DES) instead.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests that fail.")
@click.option("--fault-seed", type=int, default=0, help="Seed for the fault dice (same seed, same faults).")
@click.option("--ratelimit-rate", type=click.FloatRange(0, 1), default=0.0, help="Share answered RATELIMITED.")
@click.option("--requests-per-hour", type=click.IntRange(1), default=2500, show_default=True, help="Request budget.")
@click.option(
    "--burst",
    type=click.IntRange(1),
    help="Burst limit: requests per second per user (off by default; Linear documents only the hourly budgets).",
)
@click.option(
    "--latency",
    type=click.FloatRange(0),
    default=0.0,
    help="Milliseconds each request waits before its answer (a real site's round trip), e.g. 50.",
)
@click.option(
    "--break",
    "broken",
    multiple=True,
    type=click.Choice(["missing-label-group"]),
    help="Present a broken setup (for syncer doctor); repeatable.",
)
def linear_command(
    port: int,
    state_path: Path | None,
    issues: int | None,
    fault_rate: float,
    fault_seed: int,
    ratelimit_rate: float,
    requests_per_hour: int,
    burst: int | None,
    latency: float,
    broken: tuple[str, ...],
) -> None:
    """A Linear GraphQL look-alike: Linear's own schema, complexity limits, RATELIMITED, labels, attachments."""
    from connectors.linear.sandbox.cli import serve

    _stop_on_sigterm()
    serve(
        port=port,
        state=state_path,
        issues=issues,
        fault_rate=fault_rate,
        fault_seed=fault_seed,
        ratelimit_rate=ratelimit_rate,
        requests_per_hour=requests_per_hour,
        burst=burst,
        latency=latency / 1000,
        broken=broken,
    )


def _backlog() -> Path:
    from syncer.demo.workspace import config_dir

    return config_dir() / "demo-backlog.json"
