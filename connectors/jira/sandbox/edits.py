"""The parts of `PUT /issue` that are not custom field values: `fields` vs `update` operations, system fields.

Jira takes a field either in `fields` (a plain set) or in `update` (a list of `{set|add|remove|edit: value}`
operations), never both. It applies what it can check and refuses the whole edit otherwise, with one message per
field: nothing here ever answers 204 without applying what was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.jira.sandbox.jql.fields import PRIORITIES
from connectors.jira.sandbox.state import FieldDef, Issue, JiraState
from connectors.jira.sandbox.users import account_id, username, users
from connectors.jira.sandbox.validation import adf_problems

MAX_SUMMARY = 255
MAX_LABEL = 255
Apply = Callable[[Issue], None]


@dataclass(frozen=True)
class Operation:
    field: str
    verb: str
    """set | add | remove | edit | copy."""
    value: Any


def operations(body: dict[str, Any]) -> tuple[list[Operation], dict[str, str]]:
    """`fields` as `set` operations plus the `update` lists; errors for malformed or doubled fields."""
    errors: dict[str, str] = {}
    fields = body.get("fields") or {}
    update = body.get("update") or {}
    ops = [Operation(fid, "set", value) for fid, value in fields.items()]
    for fid, items in update.items():
        if fid in fields:
            errors[fid] = f"Field '{fid}' can be set in either 'fields' or 'update', not both."
            continue
        if not isinstance(items, list):
            errors[fid] = 'The operations for a field must be a list like [{"set": value}].'
            continue
        for item in items:
            if not isinstance(item, dict) or len(item) != 1:
                errors[fid] = "Each operation must be an object with one of set, add, remove, edit."
                continue
            ((verb, value),) = item.items()
            ops.append(Operation(fid, str(verb), value))
    return ops, errors


def unsupported(definition_name: str, field_id: str, verb: str, supported: list[str]) -> str:
    listed = ", ".join(f"'{s}'" for s in supported)
    return (
        f"Field with id '{field_id}' and name '{definition_name}' does not support operation '{verb}' "
        f"Supported operation(s) are: {listed}"
    )


SYSTEM_VERBS = {
    "summary": ["set"],
    "description": ["set"],
    "labels": ["add", "set", "remove"],
    "assignee": ["set"],
    "priority": ["set"],
}
"""The system fields on the sandbox's edit screen and the operations Jira allows on each."""


def _summary(value: Any) -> tuple[str | None, Apply | None]:
    if not isinstance(value, str):
        return "Operation value must be a string", None
    if not value.strip():
        return "You must specify a summary of the issue.", None
    if len(value) > MAX_SUMMARY or "\n" in value:
        return f"Summary must be less than {MAX_SUMMARY} characters and on one line.", None
    return None, lambda issue: setattr(issue, "summary", value)


def _description(value: Any, version: str) -> tuple[str | None, Apply | None]:
    if value is not None:
        if version == "3" and adf_problems(value):
            return "Operation value must be an Atlassian Document (see the Atlassian Document Format)", None
        if version != "3" and not isinstance(value, str):
            return "Operation value must be a string", None
    return None, lambda issue: setattr(issue, "description", value)


def _label_problem(label: Any) -> str | None:
    if not isinstance(label, str) or not label:
        return "Operation value must be a string"
    if any(c.isspace() for c in label):
        return f"The label '{label}' contains spaces which is invalid."
    if len(label) > MAX_LABEL:
        return f"The label '{label[:20]}...' is longer than {MAX_LABEL} characters."
    return None


def _labels(verb: str, value: Any) -> tuple[str | None, Apply | None]:
    if verb == "set":
        if not isinstance(value, list):
            return "Operation value must be an array of labels", None
        problem = next((p for label in value if (p := _label_problem(label))), None)
        if problem:
            return problem, None
        wanted = list(dict.fromkeys(value))
        return None, lambda issue: setattr(issue, "labels", wanted)
    problem = _label_problem(value)
    if problem:
        return problem, None
    if verb == "add":
        return None, lambda issue: issue.labels.append(value) if value not in issue.labels else None
    return None, lambda issue: setattr(issue, "labels", [x for x in issue.labels if x != value])


def _assignee(state: JiraState, value: Any) -> tuple[str | None, Apply | None]:
    if value is None:
        return None, lambda issue: setattr(issue, "assignee", None)
    if not isinstance(value, dict):
        return 'Operation value must be an object like {"accountId": "..."}', None
    known = {u.name for u in users(state)}
    if state.mode == "cloud":
        if "accountId" not in value:
            return "Specify the user by accountId: names and keys are not accepted on Jira Cloud.", None
        match = next((n for n in known if account_id(n) == value["accountId"]), None)
    else:
        match = next((n for n in known if username(n) == str(value.get("name", "")).casefold()), None)
    if match is None:
        return f"User '{value.get('accountId') or value.get('name')}' does not exist.", None
    return None, lambda issue: setattr(issue, "assignee", match)


def _priority(value: Any) -> tuple[str | None, Apply | None]:
    name = value.get("name") if isinstance(value, dict) else None
    if isinstance(value, dict) and "id" in value:
        index = int(value["id"]) - 1 if str(value["id"]).isdigit() else -1
        name = PRIORITIES[index] if 0 <= index < len(PRIORITIES) else None
    if name not in PRIORITIES:
        return f"The priority {value!r} is not valid: use one of {', '.join(PRIORITIES)} (by name or id 1-5).", None
    return None, lambda issue: setattr(issue, "priority", name)


def system_change(state: JiraState, op: Operation, version: str) -> tuple[str | None, Apply | None]:
    """The check and the change for one operation on a system field on the edit screen."""
    verbs = SYSTEM_VERBS[op.field]
    if op.verb not in verbs:
        return unsupported(op.field.capitalize(), op.field, op.verb, verbs), None
    if op.field == "summary":
        return _summary(op.value)
    if op.field == "description":
        return _description(op.value, version)
    if op.field == "labels":
        return _labels(op.verb, op.value)
    if op.field == "assignee":
        return _assignee(state, op.value)
    return _priority(op.value)


def is_system_editable(field_id: str, definition: FieldDef | None, issuetype: str) -> bool:
    return field_id in SYSTEM_VERBS and (definition is None or definition.on_screen(issuetype))
