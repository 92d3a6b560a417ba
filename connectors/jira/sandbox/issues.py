"""Issue writes as Jira answers them: edit (all-or-nothing, per-field errors), comments, entity properties."""

from __future__ import annotations

import json
from typing import Any

from connectors.jira.sandbox import edits
from connectors.jira.sandbox.render import adf_text, comment_json, issue_json, wanted_fields
from connectors.jira.sandbox.state import Comment, FieldDef, Issue, JiraState, jira_time
from connectors.jira.sandbox.validation import adf_problems
from connectors.sandbox_http import SandboxRequest, SandboxResponse

MAX_PROPERTY_BYTES = 32768


def _error(status: int, message: str, errors: dict[str, str] | None = None) -> SandboxResponse:
    return SandboxResponse(status, {"errorMessages": [message] if message else [], "errors": errors or {}})


def _not_found(what: str) -> SandboxResponse:
    return _error(404, f"{what} does not exist or you do not have permission to see it.")


def _flag(request: SandboxRequest, name: str, default: bool) -> bool:
    value = request.param(name)
    return default if value is None else value.lower() == "true"


def _field_error(definition: FieldDef | None, field_id: str, value: Any, version: str, issuetype: str) -> str | None:
    if definition is None or not definition.on_screen(issuetype):
        return f"Field '{field_id}' cannot be set. It is not on the appropriate screen, or unknown."
    if value is None:
        return None
    if definition.custom_type == "textarea" and version == "3":
        # REST v3 takes multi-line text fields (like comments) only as ADF documents.
        return (
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
            if adf_problems(value)
            else None
        )
    if definition.type == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return "Operation value must be a number"
    if definition.type == "string" and not isinstance(value, str):
        return "Operation value must be a string"
    if definition.type == "option":
        if not isinstance(value, dict) or not ({"value", "id"} & value.keys()):
            return "Could not find valid 'id' or 'value' in the Parent Option object."
        if "value" in value and value["value"] not in definition.options:
            return f"Option value '{value['value']}' is not valid"
        if "value" not in value and str(value["id"]) not in [definition.option_id(o) for o in definition.options]:
            return f"Option id '{value['id']}' is not valid"
    return None


def _stored(definition: FieldDef, value: Any) -> Any:
    if isinstance(value, dict) and value.get("type") == "doc":
        return adf_text(value).rstrip("\n")
    if definition.type == "option" and isinstance(value, dict):
        if "value" in value:
            return value["value"]
        return next(o for o in definition.options if definition.option_id(o) == str(value["id"]))
    return value


def _notify(state: JiraState, request: SandboxRequest) -> None:
    # Without Administer Projects Jira silently ignores notifyUsers=false and e-mails the watchers anyway.
    if _flag(request, "notifyUsers", True) or not state.account.admin:
        state.notifications += 1


def edit_issue(state: JiraState, base: str, issue: Issue, request: SandboxRequest, version: str) -> SandboxResponse:
    body = request.json() or {}
    if body.get("transition"):
        return _error(
            400, "The Jira sandbox does not model workflow transitions; see connectors/jira/sandbox/README.md."
        )
    ops, errors = edits.operations(body)
    changes: list[edits.Apply] = []
    comments: list[Any] = []
    for op in ops:
        if op.field in errors:
            continue
        definition = state.field(op.field)
        if op.field == "comment" and op.verb == "add":
            comment_body = op.value.get("body") if isinstance(op.value, dict) else None
            problem = _body_problem(comment_body, version)
            if problem:
                errors["comment"] = problem
            comments.append(comment_body)
        elif edits.is_system_editable(op.field, definition, issue.issuetype):
            message, change = edits.system_change(state, op, version)
            if message:
                errors[op.field] = message
            elif change:
                changes.append(change)
        elif (
            definition is not None and definition.custom and definition.on_screen(issue.issuetype) and op.verb != "set"
        ):
            errors[op.field] = edits.unsupported(definition.name, op.field, op.verb, ["set"])
        elif msg := _field_error(
            definition if definition and definition.custom else None, op.field, op.value, version, issue.issuetype
        ):
            errors[op.field] = msg
        else:
            assert definition is not None
            changes.append(_set_custom(definition, op.value))
    if errors:
        return _error(400, "", errors)
    for change in changes:
        change(issue)
    for prop in body.get("properties") or []:
        issue.properties[str(prop["key"])] = prop["value"]
    if changes:
        issue.updated = jira_time()
        _notify(state, request)
    for comment_body in comments:
        _append_comment(state, issue, comment_body)
    if _flag(request, "returnIssue", False):
        return SandboxResponse(
            200,
            issue_json(
                state, base, issue, fields=wanted_fields(state, ["*all"]), properties=[], expand=set(), version=version
            ),
        )
    return SandboxResponse(204)


def _set_custom(definition: FieldDef, value: Any) -> edits.Apply:
    stored = _stored(definition, value)

    def apply(issue: Issue) -> None:
        issue.values[definition.id] = stored

    return apply


def _body_problem(body: Any, version: str) -> str | None:
    if version == "3":
        problems = adf_problems(body)
        if problems:
            return f"Comment body is not valid ADF: {problems[0]}"
        # A document without text (`content: []`, or only empty paragraphs) is an empty comment to Jira.
        return "Comment body can not be empty!" if not adf_text(body).strip() else None
    if not isinstance(body, str) or not body.strip():
        return "Comment body can not be empty!" if isinstance(body, str) else "Comment body must be a string on v2"
    return None


def list_comments(state: JiraState, base: str, issue: Issue, request: SandboxRequest, version: str) -> SandboxResponse:
    start = int(request.param("startAt", "0") or 0)
    size = min(int(request.param("maxResults", "100") or 100), 100)  # the spec's default is 100
    ordered = sorted(issue.comments, key=lambda c: (c.created, int(c.id)))
    if (request.param("orderBy") or "").startswith("-"):
        ordered.reverse()
    page = ordered[start : start + size]
    return SandboxResponse(
        200,
        {
            "startAt": start,
            "maxResults": size,
            "total": len(ordered),
            "comments": [comment_json(state, base, issue, c, version) for c in page],
        },
    )


def _append_comment(state: JiraState, issue: Issue, body: Any) -> Comment:
    now = jira_time()
    state.next_comment_id += 1
    comment = Comment(str(state.next_comment_id), state.account.display_name, body, now, now)
    issue.comments.append(comment)
    issue.updated = now
    state.notifications += 1  # a new comment always e-mails the watchers
    return comment


def add_comment(state: JiraState, base: str, issue: Issue, request: SandboxRequest, version: str) -> SandboxResponse:
    body = (request.json() or {}).get("body")
    problem = _body_problem(body, version)
    if problem:
        return _error(400, problem, {"comment": problem})
    comment = _append_comment(state, issue, body)
    return SandboxResponse(201, comment_json(state, base, issue, comment, version))


def update_comment(
    state: JiraState, base: str, issue: Issue, comment_id: str, request: SandboxRequest, version: str
) -> SandboxResponse:
    comment = next((c for c in issue.comments if c.id == comment_id), None)
    if comment is None:
        return _not_found(f"Comment {comment_id}")
    body = (request.json() or {}).get("body")
    problem = _body_problem(body, version)
    if problem:
        return _error(400, problem, {"comment": problem})
    comment.body = body
    comment.updated = jira_time()
    _notify(state, request)
    return SandboxResponse(200, comment_json(state, base, issue, comment, version))


def delete_comment(issue: Issue, comment_id: str) -> SandboxResponse:
    comment = next((c for c in issue.comments if c.id == comment_id), None)
    if comment is None:
        return _not_found(f"Comment {comment_id}")
    issue.comments.remove(comment)
    return SandboxResponse(204)


def property_route(issue: Issue, key: str, request: SandboxRequest) -> SandboxResponse:
    if request.method == "GET":
        if key not in issue.properties:
            return _not_found(f"Property {key}")
        return SandboxResponse(200, {"key": key, "value": issue.properties[key]})
    if request.method == "DELETE":
        issue.properties.pop(key, None)
        return SandboxResponse(204)
    if not request.body or len(request.body) > MAX_PROPERTY_BYTES:
        return _error(400, f"The property value must be non-empty JSON of at most {MAX_PROPERTY_BYTES} bytes.")
    try:
        value = json.loads(request.body)
    except ValueError:
        return _error(400, "The property value is not valid JSON.")
    created = key not in issue.properties
    issue.properties[key] = value
    return SandboxResponse(201 if created else 200)
