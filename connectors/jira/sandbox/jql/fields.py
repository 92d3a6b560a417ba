"""The fields JQL can name on this instance, what values each accepts, and each issue's value.

A field is one of a few kinds, each with Jira's operators: enumerations (project, status, a select field...)
whose written values must exist, labels (any value), the issue key, text (`~` only), numbers and dates.
Fields Jira has but the sandbox does not model are refused with a message saying so, never answered empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from connectors.jira.sandbox.jql.syntax import Field, JqlError
from connectors.jira.sandbox.jql.values import parse_jira_time
from connectors.jira.sandbox.state import CATEGORY_IDS, CATEGORY_NAMES, FieldDef, Issue, JiraState
from connectors.jira.sandbox.users import users

Kind = Literal["enum", "labels", "key", "text", "number", "date"]
EQUALITY = frozenset({"=", "!=", "in", "not in", "is", "is not"})
ORDERED = EQUALITY | {">", ">=", "<", "<="}
OPERATORS: dict[Kind, frozenset[str]] = {
    "enum": EQUALITY,
    "labels": EQUALITY,
    "key": frozenset({"=", "!=", "in", "not in", ">", ">=", "<", "<="}),
    "text": frozenset({"~", "!~", "is", "is not"}),
    "number": ORDERED,
    "date": ORDERED,
}
HISTORY = frozenset({"was", "was not", "was in", "was not in", "changed"})
PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"]
ISSUE_TYPES = ["Epic", "Story", "Task", "Bug", "Sub-task"]
PROJECT_ID = "10000"
NOT_MODELLED = {
    "sprint",
    "fixversion",
    "affectedversion",
    "component",
    "parent",
    "epic link",
    "duedate",
    "due",
    "watcher",
    "watchers",
    "voter",
    "votes",
    "creator",
    "environment",
    "attachments",
    "filter",
    "savedfilter",
    "request",
    "level",
    "lastviewed",
    "originalestimate",
    "remainingestimate",
    "timespent",
    "worklogdate",
    "worklogauthor",
    "worklogcomment",
    "team",
    "issuelink",
    "issuelinktype",
    "subtasks",
    "category",
    "projecttype",
}
"""Fields every Jira has that the sandbox's issues do not carry (see the sandbox README)."""
EMPTY = ""
"""A lookup result standing for no value at all (`resolution = Unresolved` means resolution IS EMPTY)."""
_KEY = re.compile(r"^([A-Z][A-Z0-9_]*)-(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class JqlField:
    name: str
    """The name Jira uses in its messages: `project`, `status`, `RICE Score`."""
    kind: Kind
    get: Callable[[Issue], Any]
    """enum/labels: a set of canonical tokens; key: (project, number); text: str; number: float|None; date."""
    lookup: Callable[[str], set[str] | None] = field(default=lambda _text: None)
    """enum: the canonical tokens a written value stands for, None when no such value exists."""
    sort: Callable[[Issue], Any] | None = None
    """A sort key (None: `ORDER BY` refuses the field); empty values are None."""
    history: bool = False
    functions: frozenset[str] = frozenset()
    """Lower-case names of the JQL functions that stand for values of this field (`currentuser`)."""


def resolution_date(state: JiraState, issue: Issue) -> str | None:
    """When the issue was resolved: resolution is not stored, so an issue in a Done-category status was resolved
    when it entered that category (its last status-category change), and any other issue is unresolved."""
    return issue.status_changed if state.status(issue.status).category == "done" else None


def _names(*aliases: str) -> set[str]:
    return {a.casefold() for a in aliases}


def key_parts(text: str) -> tuple[str, int] | None:
    match = _KEY.match(text.strip())
    return (match.group(1).upper(), int(match.group(2))) if match else None


class Catalog:
    """Resolves field references against one state; built per query (states are small and mutable)."""

    def __init__(self, state: JiraState) -> None:
        self.state = state
        self.status_order = {s.id: n for n, s in enumerate(state.statuses)}
        self.users = users(state)

    # -- value lookups --------------------------------------------------------------------------------------

    def _status(self, text: str) -> set[str] | None:
        found = {s.id for s in self.state.statuses if text.casefold() in (s.name.casefold(), s.id)}
        return found or None

    def _category(self, text: str) -> set[str] | None:
        for key, name in CATEGORY_NAMES.items():
            if text.casefold() in (key, name.casefold(), str(CATEGORY_IDS[key])):
                return {key}
        return None

    def _project(self, text: str) -> set[str] | None:
        return {self.state.project} if text.casefold() in (self.state.project.casefold(), PROJECT_ID) else None

    def _user(self, text: str) -> set[str] | None:
        found = {u.name for u in self.users if text.casefold() in u.aliases}
        return found or None

    @staticmethod
    def _among(options: list[str]) -> Callable[[str], set[str] | None]:
        def lookup(text: str) -> set[str] | None:
            found = {o for o in options if o.casefold() == text.casefold()}
            return found or None

        return lookup

    # -- fields ---------------------------------------------------------------------------------------------

    def _system(self, name: str) -> JqlField | None:
        state, n = self.state, name.casefold()
        category = {"new": 0, "indeterminate": 1, "done": 2}
        if n in _names("project"):
            return JqlField("project", "enum", lambda i: {state.project}, self._project, lambda i: state.project)
        if n in _names("status"):
            return JqlField(
                "status", "enum", lambda i: {i.status}, self._status, lambda i: self.status_order[i.status], True
            )
        if n in _names("statusCategory"):
            return JqlField(
                "statusCategory",
                "enum",
                lambda i: {state.status(i.status).category},
                self._category,
                lambda i: category[state.status(i.status).category],
            )
        if n in _names("key", "issuekey", "id", "issue"):
            return JqlField("key", "key", lambda i: key_parts(i.key), sort=lambda i: key_parts(i.key))
        if n in _names("labels", "label"):
            return JqlField("labels", "labels", lambda i: {x.casefold() for x in i.labels}, lambda t: {t.casefold()})
        if n in _names("assignee", "reporter"):
            attribute = "assignee" if n == "assignee" else "reporter"
            return JqlField(
                attribute,
                "enum",
                lambda i: {v} if (v := getattr(i, attribute, None)) else set(),
                self._user,
                lambda i: (getattr(i, attribute, None) or "").casefold() or None,
                functions=frozenset({"currentuser"}),
            )
        if n in _names("issuetype", "type"):
            return JqlField(
                "issuetype",
                "enum",
                lambda i: {i.issuetype},
                self._among(ISSUE_TYPES),
                lambda i: ISSUE_TYPES.index(i.issuetype) if i.issuetype in ISSUE_TYPES else len(ISSUE_TYPES),
                functions=frozenset({"standardissuetypes", "subtaskissuetypes"}),
            )
        if n in _names("priority"):
            return JqlField(
                "priority",
                "enum",
                lambda i: {i.priority},
                self._among(PRIORITIES),
                lambda i: PRIORITIES.index(i.priority) if i.priority in PRIORITIES else len(PRIORITIES),
            )
        if n in _names("resolution"):
            # Resolution is not stored: an issue in a Done-category status counts as resolved "Done".
            return JqlField(
                "resolution",
                "enum",
                lambda i: {"Done"} if state.status(i.status).category == "done" else set(),
                lambda t: {"Done"} if t.casefold() == "done" else ({EMPTY} if t.casefold() == "unresolved" else None),
                lambda i: "Done" if state.status(i.status).category == "done" else None,
            )
        if n in _names("summary"):
            return JqlField("summary", "text", lambda i: i.summary, sort=lambda i: i.summary.casefold())
        if n in _names("description", "comment", "text"):
            return JqlField(name.lower(), "text", lambda i: self._text(i, n))
        dates: dict[str, Callable[[Issue], datetime | None]] = {
            "created": lambda i: parse_jira_time(i.created),
            "createddate": lambda i: parse_jira_time(i.created),
            "updated": lambda i: parse_jira_time(i.updated),
            "updateddate": lambda i: parse_jira_time(i.updated),
        }
        if state.mode == "cloud":
            dates["statuscategorychangeddate"] = lambda i: parse_jira_time(i.status_changed)
        resolved = _names("resolved", "resolutiondate", "resolutionDate")
        if n in resolved:
            dates[n] = lambda i: parse_jira_time(resolution_date(state, i))
        if n in dates:
            label = {"createddate": "created", "updateddate": "updated"}.get(n, "resolved" if n in resolved else name)
            return JqlField(label, "date", dates[n], sort=dates[n])
        if n == "rank":
            # Rank is not modelled apart from the key: `ORDER BY rank` orders by key, and rank is not searchable.
            return JqlField("rank", "enum", lambda i: set(), sort=lambda i: key_parts(i.key))
        return None

    def _text(self, issue: Issue, which: str) -> str:
        from connectors.jira.sandbox.render import adf_text

        comments = " ".join(c.body if isinstance(c.body, str) else adf_text(c.body) for c in issue.comments)
        if which == "comment":
            return comments
        raw = issue.description
        description = raw if isinstance(raw, str) else adf_text(raw) if raw else ""
        if which == "description":
            return description
        custom = [
            str(issue.values.get(f.id) or "") for f in self.state.fields if f.custom and f.type == "string"
        ]  # `text ~` covers summary, description, environment, comments and text custom fields
        return " ".join([issue.summary, description, comments, *custom])

    def _custom(self, definition: FieldDef) -> JqlField:
        fid, name = definition.id, definition.name
        if definition.type == "number":
            return JqlField(
                name, "number", lambda i: _number(i.values.get(fid)), sort=lambda i: _number(i.values.get(fid))
            )
        if definition.type == "option":
            options = definition.options
            ids = {definition.option_id(o): o for o in options}

            def lookup(text: str) -> set[str] | None:
                return self._among(options)(text) or ({ids[text]} if text in ids else None)

            return JqlField(
                name,
                "enum",
                lambda i: {v} if (v := i.values.get(fid)) is not None else set(),
                lookup,
                lambda i: options.index(v) if (v := i.values.get(fid)) in options else None,
            )
        if definition.type == "datetime":
            return JqlField(name, "date", lambda i: _date(i.values.get(fid)), sort=lambda i: _date(i.values.get(fid)))
        if definition.type == "user":
            return JqlField(
                name,
                "enum",
                lambda i: {v} if (v := i.values.get(fid)) else set(),
                self._user,
                functions=frozenset({"currentuser"}),
            )
        if definition.type == "array":
            return JqlField(
                name, "labels", lambda i: {str(v).casefold() for v in i.values.get(fid) or []}, lambda t: {t.casefold()}
            )
        return JqlField(name, "text", lambda i: str(i.values.get(fid) or ""), sort=lambda i: _lower(i.values.get(fid)))

    def resolve(self, ref: Field) -> list[JqlField]:
        """The fields `ref` names (a name can match several custom fields: Jira searches them all)."""
        state = self.state
        if ref.custom_id is not None:
            definition = state.field(ref.custom_id)
            if definition is None or not definition.custom:
                raise JqlError(f"Field '{ref.name}' does not exist or you do not have permission to view it.")
            return [self._custom(definition)]
        system = self._system(ref.name)
        if system is not None:
            return [system]
        customs = [self._custom(f) for f in state.fields if f.custom and f.name.casefold() == ref.name.casefold()]
        if customs:
            return customs
        if ref.name.casefold() in NOT_MODELLED:
            raise JqlError(
                f"The Jira sandbox does not model the field '{ref.name}' (Jira has it); "
                "see connectors/jira/sandbox/README.md."
            )
        raise JqlError(f"Field '{ref.name}' does not exist or you do not have permission to view it.")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _date(value: Any) -> datetime | None:
    try:
        return parse_jira_time(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _lower(value: Any) -> str | None:
    return str(value).casefold() if value not in (None, "") else None
