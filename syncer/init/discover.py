"""What `syncer init` reads from a tracker: who the credentials belong to and the candidate inputs and outputs.

Jira: `GET /field` (number and select fields), serverInfo, myself. Linear: viewer, teams with their estimate
scales, label groups. Nothing is written, except by `create_jira_fields` (`--create-fields`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from connectors.jira.client import JiraClient
from connectors.jira.fields import NUMBER, OPTION, STRING
from connectors.linear.auth import build_auth
from connectors.linear.catalog import LabelCatalog
from connectors.linear.client import LinearClient
from syncer.init import Candidate
from syncer.settings import HttpSettings, JiraTrackerSettings, LinearTrackerSettings

JIRA_INPUT_TYPES = (NUMBER, OPTION, STRING)
FLOAT_TYPE = "com.atlassian.jira.plugin.system.customfieldtypes:float"
SELECT_TYPE = "com.atlassian.jira.plugin.system.customfieldtypes:select"
NUMBER_SEARCHER = "com.atlassian.jira.plugin.system.customfieldtypes:exactnumber"
SELECT_SEARCHER = "com.atlassian.jira.plugin.system.customfieldtypes:multiselectsearcher"


@dataclass
class Discovery:
    """What a tracker offers: who we are, input candidates, existing output fields, and extra facts to show."""

    who: str
    candidates: list[Candidate] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    """Existing fields by lower-case name -> field type (Jira)."""
    notes: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    deployment: str = ""


def jira(settings: JiraTrackerSettings, token: SecretStr | None, http: HttpSettings) -> Discovery:
    client = JiraClient(settings, token=token, http=http)
    try:
        deployment = client.detect_deployment()
        me: dict[str, Any] = client.read("GET", "myself")
        fields = client.fields()
    finally:
        client.close()
    who = str(me.get("displayName") or me.get("name") or "?")
    found = Discovery(who=who, deployment=deployment)
    for entry in fields:
        schema = entry.get("schema") or {}
        kind = str(schema.get("type") or "")
        name = str(entry.get("name") or entry.get("id"))
        found.outputs[name.casefold()] = kind
        if not str(entry.get("id", "")).startswith("customfield_") or kind not in JIRA_INPUT_TYPES:
            continue
        label = f"{name!r} ({entry.get('id')}, {'select' if kind == OPTION else kind})"
        found.candidates.append(Candidate(name, label, name))
    return found


def create_jira_fields(
    settings: JiraTrackerSettings, token: SecretStr | None, http: HttpSettings, wanted: Sequence[tuple[str, str]]
) -> list[str]:
    """Create the output fields (name, "number" | "select") that do not exist yet; returns what was done.

    A select field gets its options through its default context. Needs Jira administrator rights.
    """
    client = JiraClient(settings, token=token, http=http)
    done: list[str] = []
    try:
        client.detect_deployment()
        for name, kind in wanted:
            body = {
                "name": name,
                "description": "Written by syncer",
                "type": SELECT_TYPE if kind == "select" else FLOAT_TYPE,
                "searcherKey": SELECT_SEARCHER if kind == "select" else NUMBER_SEARCHER,
            }
            created: dict[str, Any] = client.send("POST", "field", body=body)
            field_id = str(created.get("id"))
            if kind == "select":
                contexts: dict[str, Any] = client.send("GET", f"field/{field_id}/context")
                context = str((contexts.get("values") or [{}])[0].get("id"))
                options = [{"value": v, "disabled": False} for v in ("Now", "Next", "Later")]
                client.send("POST", f"field/{field_id}/context/{context}/option", body={"options": options})
            done.append(f"created {name!r} ({field_id}, {kind})")
    finally:
        client.close()
    return done


LINEAR_TEAMS = """
query SyncerInitTeams($first: Int!) {
  teams(first: $first) { nodes { id key name issueEstimationType } }
}
"""
VIEWER = "query SyncerInitViewer { viewer { id name email } }"


def linear(settings: LinearTrackerSettings, token: SecretStr, http: HttpSettings, credential: str) -> Discovery:
    client = LinearClient(settings.url, build_auth(settings.auth, token), http, credential=credential)
    try:
        viewer = client.execute(VIEWER, operation="SyncerInitViewer").get("viewer") or {}
        teams = client.execute(LINEAR_TEAMS, {"first": 100}, operation="SyncerInitTeams")["teams"]["nodes"]
        labels = LabelCatalog.load(client)
    finally:
        client.close()
    found = Discovery(who=str(viewer.get("name") or "?"))
    found.teams = [str(t["key"]) for t in teams]
    scales = ", ".join(f"{t['key']}: {t.get('issueEstimationType') or 'no estimates'}" for t in teams)
    found.notes.append(f"teams and estimate scales: {scales}")
    groups = sorted({lb.name for lb in labels.groups()})
    found.notes.append(f"label groups: {', '.join(groups) or 'none'}")
    for group in groups:
        found.candidates.append(Candidate(f"label:{group}", f"label group {group!r}", group))
    found.candidates.append(Candidate("estimate", "the estimate (on each team's scale)", "estimate"))
    found.candidates.append(Candidate("customer_needs", "the number of customer requests", "reach"))
    found.candidates.append(Candidate("priority", "the priority (Urgent, High, Medium, Low)", "urgency"))
    return found
