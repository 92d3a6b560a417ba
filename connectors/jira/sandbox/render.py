"""State -> Jira JSON: issues with the requested fields, comments in the REST version's body format."""

from __future__ import annotations

from typing import Any

from connectors.jira.sandbox.jql.fields import PRIORITIES, resolution_date
from connectors.jira.sandbox.state import CATEGORY_IDS, CATEGORY_NAMES, Comment, FieldDef, Issue, JiraState


def status_json(state: JiraState, base: str, status_id: str, version: str = "2") -> dict[str, Any]:
    status = state.status(status_id)
    return {
        "self": f"{base}/rest/api/{version}/status/{status.id}",
        "id": status.id,
        "name": status.name,
        "statusCategory": {
            "id": CATEGORY_IDS[status.category],
            "key": status.category,
            "name": CATEGORY_NAMES[status.category],
        },
    }


def user_json(state: JiraState, name: str | None) -> dict[str, Any] | None:
    if name is None:
        return None
    if state.mode == "cloud":
        return {"accountId": f"acc-{name.casefold()}", "displayName": name, "active": True}
    return {"name": name.casefold(), "key": name.casefold(), "displayName": name, "active": True}


def _value(definition: FieldDef, value: Any, base: str, version: str) -> Any:
    if value is None:
        return None
    if definition.custom_type == "textarea" and version == "3":
        return comment_body(str(value), version)  # v3 answers a multi-line text field as an ADF document
    if definition.type == "option":
        option_id = definition.option_id(value) if value in definition.options else "-1"
        return {"self": f"{base}/rest/api/{version}/customFieldOption/{option_id}", "value": value, "id": option_id}
    return value


def field_value(state: JiraState, base: str, issue: Issue, field_id: str, version: str = "2") -> tuple[bool, Any]:
    """(known, value) of one field on one issue; unknown field ids are left out, as Jira does."""
    system: dict[str, Any] = {
        "summary": lambda: issue.summary,
        "status": lambda: status_json(state, base, issue.status, version),
        "assignee": lambda: user_json(state, issue.assignee),
        "created": lambda: issue.created,
        "updated": lambda: issue.updated,
        "labels": lambda: list(issue.labels),
        "issuetype": lambda: {"name": issue.issuetype, "subtask": issue.subtask},
        "description": lambda: None if issue.description is None else comment_body(issue.description, version),
        "priority": lambda: {"name": issue.priority, "id": str(PRIORITIES.index(issue.priority) + 1)},
        "comment": lambda: comments_field(state, base, issue, version),
        "resolutiondate": lambda: resolution_date(state, issue),
        "resolution": lambda: {"name": "Done"} if resolution_date(state, issue) else None,
    }
    if state.mode == "cloud":
        system["statuscategorychangedate"] = lambda: issue.status_changed
    if field_id in system:
        return True, system[field_id]()
    definition = state.field(field_id)
    if definition is None or not definition.custom:
        return False, None
    return True, _value(definition, issue.values.get(field_id), base, version)


def wanted_fields(state: JiraState, requested: list[str]) -> list[str]:
    """Expand `*all` / `*navigable` and `-field` exclusions; the search default is `id` only (Cloud)."""
    names: list[str] = []
    excluded = {r[1:] for r in requested if r.startswith("-")}
    for item in requested:
        if item in ("*all", "*navigable"):
            names += [f.id for f in state.fields if f.id != "comment"]
        elif item not in ("id", "key") and not item.startswith("-"):
            names.append(item)
    return [n for n in dict.fromkeys(names) if n not in excluded]


CUSTOM_TYPE = "com.atlassian.jira.plugin.system.customfieldtypes:"
_DEFAULT_CUSTOM = {
    "number": "float",
    "option": "select",
    "string": "textfield",
    "datetime": "datetime",
    "user": "userpicker",
    "array": "labels",
}
_UNSORTABLE = {"labels", "comment", "description"}


def field_schema(definition: FieldDef) -> dict[str, Any]:
    """`schema` as `/field` and `expand=schema` give it: custom fields name their type, system fields themselves."""
    schema: dict[str, Any] = {"type": definition.type}
    if definition.type == "array":
        schema["items"] = "string"
    if definition.custom:
        kind = definition.custom_type or _DEFAULT_CUSTOM.get(definition.type, "textfield")
        schema["custom"] = CUSTOM_TYPE + kind
        schema["customId"] = int(definition.id.split("_")[-1])
    else:
        schema["system"] = definition.id
    return schema


def field_json(definition: FieldDef) -> dict[str, Any]:
    custom = definition.custom
    clause_names = [f"cf[{definition.id.split('_')[-1]}]", definition.name] if custom else [definition.id]
    return {
        "id": definition.id,
        "key": definition.id,
        "name": definition.name,
        "custom": custom,
        "orderable": definition.editable,
        "navigable": definition.id != "comment",
        "searchable": True,
        "clauseNames": clause_names,
        "schema": field_schema(definition),
        **({"untranslatedName": definition.name} if custom else {}),
    }


def expansions(state: JiraState, field_ids: list[str], expand: set[str]) -> dict[str, Any]:
    """`names` (field id -> display name) and `schema` (field id -> schema) for the fields returned."""
    extra: dict[str, Any] = {}
    definitions = [d for fid in field_ids if (d := state.field(fid)) is not None]
    if "names" in expand:
        extra["names"] = {d.id: d.name for d in definitions}
    if "schema" in expand:
        extra["schema"] = {d.id: field_schema(d) for d in definitions}
    return extra


def changelog_json(state: JiraState, issue: Issue) -> dict[str, Any]:
    histories = [
        {
            "id": str(index + 1),
            "created": change["created"],
            "items": [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "from": change["from"],
                    "fromString": state.status(change["from"]).name,
                    "to": change["to"],
                    "toString": state.status(change["to"]).name,
                }
            ],
        }
        for index, change in enumerate(issue.history)
    ]
    return {"startAt": 0, "maxResults": len(histories), "total": len(histories), "histories": histories}


def issue_json(
    state: JiraState,
    base: str,
    issue: Issue,
    *,
    fields: list[str],
    properties: list[str],
    expand: set[str],
    version: str = "2",
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": issue.id, "key": issue.key, "self": f"{base}/rest/api/{version}/issue/{issue.id}"}
    values = {}
    for field_id in fields:
        known, value = field_value(state, base, issue, field_id, version)
        if known:
            values[field_id] = value
    body["fields"] = values
    body.update(expansions(state, list(values), expand))
    if properties:
        body["properties"] = {k: issue.properties[k] for k in properties if k in issue.properties}
    if "changelog" in expand:
        body["changelog"] = changelog_json(state, issue)
    return body


def adf_text(node: Any) -> str:
    if isinstance(node, dict):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        joined = "".join(adf_text(c) for c in node.get("content") or [])
        return joined + ("\n" if node.get("type") in ("paragraph", "heading", "listItem") else "")
    return ""


def comment_body(body: Any, version: str) -> Any:
    """A stored body in the version's format: Jira converts between ADF (v3) and wiki markup (v2)."""
    if version == "3" and isinstance(body, str):
        lines = body.splitlines() or [""]
        paragraphs = [{"type": "paragraph", "content": [{"type": "text", "text": ln}] if ln else []} for ln in lines]
        return {"type": "doc", "version": 1, "content": paragraphs}
    if version != "3" and isinstance(body, dict):
        return adf_text(body).rstrip("\n")
    return body


EMBEDDED_COMMENTS = 20
"""Jira embeds at most this many comments (the oldest) in an issue's `comment` field in search results."""


def comments_field(state: JiraState, base: str, issue: Issue, version: str) -> dict[str, Any]:
    ordered = sorted(issue.comments, key=lambda c: (c.created, int(c.id)))
    shown = ordered[:EMBEDDED_COMMENTS]
    return {
        "comments": [comment_json(state, base, issue, c, version) for c in shown],
        "maxResults": len(shown),
        "total": len(ordered),
        "startAt": 0,
    }


def comment_json(state: JiraState, base: str, issue: Issue, comment: Comment, version: str) -> dict[str, Any]:
    return {
        "self": f"{base}/rest/api/{version}/issue/{issue.id}/comment/{comment.id}",
        "id": comment.id,
        "author": user_json(state, comment.author),
        "body": comment_body(comment.body, version),
        "created": comment.created,
        "updated": comment.updated,
    }
