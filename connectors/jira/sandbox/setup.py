"""What a setup check (`syncer doctor`) reads: the approximate issue count of a JQL query, an issue's edit
metadata (which fields are on its edit screen, a select field's options) and the caller's permissions.

The broken setups a first run meets are presented by changing the state (see `presets.py`): a field off the
edit screen (`FieldDef.editable`, or `off_screen` for some issue types), a missing select option
(`FieldDef.options`), a permission the bot lacks (`Account.denied`), Administer Projects (`Account.admin`).
"""

from __future__ import annotations

from typing import Any

from connectors.jira.sandbox import jql
from connectors.jira.sandbox.state import FieldDef, Issue, JiraState
from connectors.sandbox_http import SandboxRequest, SandboxResponse

PERMISSIONS = {
    "BROWSE_PROJECTS": ("10", "Browse Projects"),
    "EDIT_ISSUES": ("12", "Edit Issues"),
    "ADD_COMMENTS": ("15", "Add Comments"),
    "EDIT_OWN_COMMENTS": ("35", "Edit Own Comments"),
    "ADMINISTER_PROJECTS": ("23", "Administer Projects"),
    "ADMINISTER": ("0", "Administer Jira"),
}


def _error(status: int, *messages: str) -> SandboxResponse:
    return SandboxResponse(status, {"errorMessages": list(messages), "errors": {}})


def approximate_count(state: JiraState, request: SandboxRequest) -> SandboxResponse:
    """POST search/approximate-count (Cloud): `{"count": n}`, or Jira's 400 for a query it cannot read."""
    body = request.json() or {}
    try:
        matches = jql.run(state, jql.parse(state, str(body.get("jql") or ""), bounded=False))
    except jql.JqlError as exc:
        return _error(400, *exc.messages)
    return SandboxResponse(200, {"count": len(matches)})


def _schema(definition: FieldDef) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": definition.type}
    if definition.custom:
        schema["customId"] = int(definition.id.split("_")[-1])
    else:
        schema["system"] = definition.id
    return schema


def editmeta(state: JiraState, base: str, issue: Issue) -> SandboxResponse:
    """GET issue/{key}/editmeta: the fields on the issue's edit screen, with a select field's options."""
    fields: dict[str, Any] = {}
    for definition in state.fields:
        if not definition.on_screen(issue.issuetype) or definition.id in ("status", "created", "updated", "comment"):
            continue
        entry: dict[str, Any] = {
            "required": definition.id == "summary",
            "schema": _schema(definition),
            "name": definition.name,
            "key": definition.id,
            "operations": ["set"],
        }
        if definition.type == "option":
            entry["allowedValues"] = [
                {
                    "self": f"{base}/rest/api/2/customFieldOption/{definition.option_id(o)}",
                    "value": o,
                    "id": definition.option_id(o),
                }
                for o in definition.options
            ]
        fields[definition.id] = entry
    return SandboxResponse(200, {"fields": fields})


def mypermissions(state: JiraState, request: SandboxRequest) -> SandboxResponse:
    """GET mypermissions?permissions=...: whether the caller has each permission (in the project asked about)."""
    asked = [p.strip() for p in (request.param("permissions") or "").split(",") if p.strip()]
    if not asked and state.mode == "cloud":
        return _error(400, "The 'permissions' query parameter is required.")
    project = request.param("projectKey")
    if project is not None and project != state.project:
        return _error(404, f"No project could be found with key '{project}'.")
    account = state.account
    result: dict[str, Any] = {}
    for key in asked or list(PERMISSIONS):
        if key not in PERMISSIONS:
            return _error(400, f"Unrecognized permission key: {key}")
        ident, name = PERMISSIONS[key]
        if key in ("ADMINISTER_PROJECTS", "ADMINISTER"):
            have = account.admin and key not in account.denied
        else:
            have = key not in account.denied
        result[key] = {
            "id": ident,
            "key": key,
            "name": name,
            "type": "GLOBAL" if key == "ADMINISTER" else "PROJECT",
            "description": name,
            "havePermission": have,
        }
    return SandboxResponse(200, {"permissions": result})


FIELD_TYPES = {
    "com.atlassian.jira.plugin.system.customfieldtypes:float": "number",
    "com.atlassian.jira.plugin.system.customfieldtypes:select": "option",
    "com.atlassian.jira.plugin.system.customfieldtypes:textfield": "string",
}
CONTEXT_ID = "10100"


def create_field(state: JiraState, request: SandboxRequest) -> SandboxResponse:
    """POST field (administrators): a new custom field, on no screen yet, as Jira creates it."""
    if not state.account.admin:
        return _error(403, "Only Jira administrators can create custom fields.")
    body = request.json() or {}
    kind = FIELD_TYPES.get(str(body.get("type")))
    if kind is None:
        return _error(400, f"The custom field type {body.get('type')!r} is not supported here.")
    number = 1 + max((int(f.id.split("_")[-1]) for f in state.fields if f.id.startswith("customfield_")), default=10000)
    definition = FieldDef(f"customfield_{number}", str(body.get("name")), kind, editable=False)
    state.fields.append(definition)
    return SandboxResponse(
        201,
        {
            "id": definition.id,
            "key": definition.id,
            "name": definition.name,
            "custom": True,
            "schema": _schema(definition),
        },
    )


def field_contexts(state: JiraState, field_id: str) -> SandboxResponse:
    """GET field/{id}/context: every custom field here has one global context."""
    if state.field(field_id) is None:
        return _error(404, f"The custom field was not found: {field_id}")
    context = {"id": CONTEXT_ID, "name": "Default context", "isGlobalContext": True, "isAnyIssueType": True}
    return SandboxResponse(200, {"isLast": True, "maxResults": 50, "startAt": 0, "total": 1, "values": [context]})


def add_options(state: JiraState, field_id: str, request: SandboxRequest) -> SandboxResponse:
    """POST field/{id}/context/{ctx}/option (administrators): append select options."""
    if not state.account.admin:
        return _error(403, "Only Jira administrators can edit custom field options.")
    definition = state.field(field_id)
    if definition is None or definition.type != "option":
        return _error(404, f"The custom field was not found: {field_id}")
    values = [str(o.get("value")) for o in (request.json() or {}).get("options") or []]
    definition.options += [v for v in values if v not in definition.options]
    options = [{"id": definition.option_id(v), "value": v, "disabled": False} for v in values]
    return SandboxResponse(200, {"options": options})
