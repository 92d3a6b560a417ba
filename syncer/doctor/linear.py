"""Linear setup checks: the key and its rate budget, teams, label groups, workflow states, attachment URL.

Reads only: viewer, the teams (with their workflow states) and the label catalogue.
"""

from __future__ import annotations

from typing import Any

from connectors.errors import AuthenticationFailed, ConnectorError, TrackerConfigError
from connectors.linear.auth import build_auth
from connectors.linear.catalog import LabelCatalog
from connectors.linear.client import LinearClient
from connectors.linear.connector import STATE_TYPES, _check_attachment_url, describe_credential
from connectors.linear.inputs import parse_spec
from syncer.doctor import Findings
from syncer.settings import ConfigError, LinearTrackerSettings, SyncSettings

VIEWER = "query SyncerDoctorViewer { viewer { id name email } }"
TEAMS = """
query SyncerDoctorTeams($first: Int!) {
  teams(first: $first) { nodes { id key name issueEstimationType states(first: 50) { nodes { name type } } } }
}
"""


def check_linear(settings: SyncSettings, index: int, tracker: LinearTrackerSettings, config: str) -> Findings:
    """Every Linear check for one `[[trackers]]` entry; stops early only when Linear cannot be reached at all."""
    found = Findings(tracker.name)
    key = f"trackers[{index}]"
    _attachment(found, tracker, key)
    try:
        token = tracker.resolve_token(index, config)
    except ConfigError as exc:
        found.fail("credentials", str(exc), f"export the variable or fix {key}.token_env / token_file")
        return found
    if token is None:
        found.fail("credentials", "no Linear credential configured", f"set {key}.token_env (a personal API key)")
        return found
    client = LinearClient(
        tracker.url, build_auth(tracker.auth, token), settings.http, credential=describe_credential(tracker)
    )
    try:
        if not _connect(found, client, tracker, key):
            return found
        teams = _teams(found, client, tracker, key)
        _labels(found, client, tracker, teams, key)
    except (ConnectorError, ValueError, TypeError, KeyError, AttributeError) as exc:
        # An unexpected answer fails the check in progress; the report still prints, never a traceback.
        found.fail(
            "workspace", f"{type(exc).__name__}: {exc}", "run doctor again; if it persists, check Linear's status"
        )
    finally:
        client.close()
    return found


def _attachment(found: Findings, tracker: LinearTrackerSettings, key: str) -> None:
    if not tracker.outputs.attachment:
        return
    try:
        _check_attachment_url(tracker)
    except TrackerConfigError as exc:
        found.fail(
            "attachment_url",
            str(exc),
            f'set {key}.attachment_url to a URL of yours with {{issue_id}}, e.g. "https://syncer.example.com/linear/{{issue_id}}"',
        )
        return
    if not tracker.attachment_url.startswith(("https://", "http://")):
        found.fail("attachment_url", f"{tracker.attachment_url!r} is not an http(s) URL", f"fix {key}.attachment_url")
        return
    found.ok("attachment_url", f"score cards at {tracker.attachment_url}")


def _connect(found: Findings, client: LinearClient, tracker: LinearTrackerSettings, key: str) -> bool:
    try:
        viewer = client.execute(VIEWER, operation="SyncerDoctorViewer").get("viewer") or {}
    except AuthenticationFailed as exc:
        found.fail(
            "connect",
            str(exc),
            "create a personal API key (Settings > Security & access) for the bot user and put it in "
            + client.credential
            + ('; an OAuth token needs auth = "oauth"' if tracker.auth == "api_key" else ""),
            unreachable=True,
        )
        return False
    except ConnectorError as exc:
        found.fail("connect", str(exc), f"check {key}.url (https://api.linear.app/graphql)", unreachable=True)
        return False
    who = viewer.get("name") or viewer.get("id") or "?"
    email = viewer.get("email")
    budgets = [
        f"{b.name.lower()} {b.remaining:g} of {b.limit:g} left"
        for b in client.budget.states()
        if b.remaining is not None and b.limit is not None
    ]
    detail = f"Linear at {tracker.url}; signed in as {who}" + (f" ({email})" if email else "")
    found.ok("connect", detail + (f"; rate budget: {', '.join(budgets)}" if budgets else ""))
    low = [b for b in client.budget.states() if b.remaining is not None and b.limit and b.remaining < 0.05 * b.limit]
    if low:
        found.warn(
            "rate budget",
            f"under 5 % of the {', '.join(b.name.lower() for b in low)} budget is left",
            "wait for the hourly reset before the first run, or use a user whose keys are not busy elsewhere",
        )
    return True


def _teams(found: Findings, client: LinearClient, tracker: LinearTrackerSettings, key: str) -> list[dict[str, Any]]:
    try:
        nodes: list[dict[str, Any]] = client.execute(TEAMS, {"first": 50}, operation="SyncerDoctorTeams")["teams"][
            "nodes"
        ]
    except ConnectorError as exc:
        found.fail("teams", f"cannot list the teams: {exc}", "check that the key may read the workspace")
        return []
    by_key = {str(t["key"]): t for t in nodes}
    missing = [k for k in tracker.teams if k not in by_key]
    if missing:
        found.fail(
            "teams",
            f"no team with key {', '.join(missing)} (teams: {', '.join(sorted(by_key)) or 'none'})",
            f"set {key}.teams to team keys as Linear shows them (case-sensitive)",
        )
    chosen = [by_key[k] for k in tracker.teams if k in by_key] or (nodes if not tracker.teams else [])
    if chosen and not missing:
        scales = ", ".join(f"{t['key']} ({t.get('issueEstimationType') or 'no estimates'})" for t in chosen)
        found.ok("teams", scales)
    unknown = [s for s in tracker.states if s not in STATE_TYPES]
    if unknown:
        found.fail(
            "states",
            f"{', '.join(unknown)} is not a workflow state type",
            f"set {key}.states to types among {', '.join(STATE_TYPES)} (not state names)",
        )
        return chosen
    for team in chosen:
        types = {str(s.get("type")) for s in (team.get("states") or {}).get("nodes") or []}
        absent = [s for s in tracker.states if s not in types]
        if len(absent) == len(tracker.states):
            found.fail(
                f"states {team['key']}",
                f"team {team['key']} has no workflow state of type {', '.join(tracker.states)}: nothing would be read",
                f"add state types to {key}.states (the team has {', '.join(sorted(types))})",
            )
        else:
            found.ok(
                f"states {team['key']}", f"reads states of type {', '.join(s for s in tracker.states if s in types)}"
            )
    return chosen


def _labels(
    found: Findings, client: LinearClient, tracker: LinearTrackerSettings, teams: list[dict[str, Any]], key: str
) -> None:
    try:
        catalog = LabelCatalog.load(client)
    except ConnectorError as exc:
        found.fail("labels", f"cannot read the labels: {exc}", "check that the key may read the workspace")
        return
    team_ids: list[str | None] = [str(t["id"]) for t in teams] or [None]
    for name, text in tracker.inputs.items():
        try:
            spec = parse_spec(name, text)
        except ValueError as exc:
            found.fail(f"input {name}", str(exc), f"fix {key}.inputs.{name}")
            continue
        if spec.kind != "label":
            found.ok(f"input {name}", text)
            continue
        lacking = [t for t in team_ids if catalog.group(spec.arg, t) is None]
        if lacking:
            found.fail(
                f"input {name}",
                f"no label group {spec.arg!r}" + (" for every team" if len(team_ids) > 1 else ""),
                f"create the label group {spec.arg!r} (Settings > Labels > New group) with one label per value, "
                f"or change {key}.inputs.{name}",
            )
        else:
            found.ok(f"input {name}", f"label group {spec.arg!r}")
    group = tracker.outputs.bucket_label_group
    if group:
        if any(catalog.group(group, t) is None for t in team_ids):
            found.warn(
                "bucket label group",
                f"no label group {group!r} yet; the first run creates it with Now, Next and Later",
                "nothing, if the key may create labels; else create the group yourself",
            )
        else:
            found.ok("bucket label group", f"label group {group!r}")
