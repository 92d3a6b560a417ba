"""A small JQL subset: enough for the queries a sync is configured with, and a 400 like Jira's for the rest.

Supported: clauses on `project`, `status`, `statusCategory`, `key`, `labels`, `assignee`, `issuetype` with
`=`, `!=`, `in (...)`, `not in (...)`, `is EMPTY`, `is not EMPTY`, joined by AND; then an optional
`ORDER BY key|created|updated|rank [ASC|DESC]`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from connectors.jira.sandbox.state import CATEGORY_NAMES, Issue, JiraState
from syncer.models import natural_key

_ORDER = re.compile(r"\s+order\s+by\s+(\w+)(?:\s+(asc|desc))?\s*$", re.IGNORECASE)
_CLAUSE = re.compile(
    r"^\s*(\w+)\s*(=|!=|not\s+in|in|is\s+not|is)\s*(.+?)\s*$",
    re.IGNORECASE,
)


class JqlError(ValueError):
    """The query is malformed or uses what the sandbox (or Jira) does not allow here."""


@dataclass(frozen=True)
class Query:
    test: Callable[[Issue], bool]
    order: str
    descending: bool


def _values(raw: str) -> list[str]:
    raw = raw.strip()
    if raw.startswith("(") and raw.endswith(")"):
        raw = raw[1:-1]
    lexer = shlex.shlex(raw, posix=True)
    lexer.whitespace += ","
    lexer.whitespace_split = True
    return [v.casefold() for v in lexer]


def _getter(state: JiraState, name: str) -> Callable[[Issue], set[str]]:
    fields: dict[str, Callable[[Issue], set[str]]] = {
        "project": lambda i: {state.project.casefold()},
        "status": lambda i: {state.status(i.status).name.casefold(), i.status},
        "statuscategory": lambda i: {
            state.status(i.status).category,
            CATEGORY_NAMES[state.status(i.status).category].casefold(),
        },
        "key": lambda i: {i.key.casefold()},
        "labels": lambda i: {label.casefold() for label in i.labels},
        "assignee": lambda i: {i.assignee.casefold()} if i.assignee else set(),
        "issuetype": lambda i: {i.issuetype.casefold()},
    }
    if name.casefold() not in fields:
        raise JqlError(f"Field '{name}' does not exist or this field cannot be viewed by anonymous users.")
    return fields[name.casefold()]


def _clause(state: JiraState, text: str) -> Callable[[Issue], bool]:
    match = _CLAUSE.match(text)
    if match is None:
        raise JqlError(f"Error in the JQL Query: the clause {text.strip()!r} is not understood.")
    name, op, raw = match.group(1), " ".join(match.group(2).lower().split()), match.group(3)
    get = _getter(state, name)
    if op in ("is", "is not"):
        if raw.casefold() not in ("empty", "null"):
            raise JqlError(f"Error in the JQL Query: expected EMPTY after '{op}'.")
        return (lambda i: not get(i)) if op == "is" else (lambda i: bool(get(i)))
    wanted = set(_values(raw))
    if op in ("=", "!=") and len(wanted) != 1:
        raise JqlError(f"Error in the JQL Query: operator '{op}' takes one value.")
    if op in ("=", "in"):
        return lambda i: bool(get(i) & wanted)
    return lambda i: not get(i) & wanted


def parse(state: JiraState, jql: str, *, bounded: bool) -> Query:
    """Parse `jql`; `bounded` (Cloud search/jql) refuses a query without a restriction, as Jira does."""
    order, descending = "key", False
    text = jql or ""
    match = _ORDER.search(" " + text)
    if match:
        order, descending = match.group(1).lower(), (match.group(2) or "asc").lower() == "desc"
        text = (" " + text)[: match.start()]
    if order not in ("key", "created", "updated", "rank"):
        raise JqlError(f"Error in the JQL Query: cannot order by '{order}' here.")
    parts = [p for p in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE) if p.strip()]
    if not parts and bounded:
        raise JqlError("Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")
    tests = [_clause(state, part) for part in parts]
    return Query(lambda i: all(t(i) for t in tests), order, descending)


def run(state: JiraState, query: Query) -> list[Issue]:
    matches = [i for i in state.issues if query.test(i)]
    if query.order in ("key", "rank"):
        matches.sort(key=lambda i: natural_key(i.key), reverse=query.descending)
    else:
        matches.sort(key=lambda i: (getattr(i, query.order), natural_key(i.key)), reverse=query.descending)
    return matches
