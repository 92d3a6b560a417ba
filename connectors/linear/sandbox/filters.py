"""Linear's filter inputs (`IssueFilter`, `TeamFilter`, `StringComparator`, ...) evaluated over sandbox records.

Only the keys listed in `FIELDS` are supported; any other key raises, so a test never passes because the
sandbox silently ignored part of a filter the real API would apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import GraphQLError

from connectors.linear.sandbox.connections import input_error
from connectors.linear.sandbox.store import Record, Workspace


@dataclass(frozen=True)
class Scalar:
    key: str


@dataclass(frozen=True)
class Related:
    type_name: str
    get: Callable[[Workspace, Record], Record | None]


@dataclass(frozen=True)
class Many:
    type_name: str
    get: Callable[[Workspace, Record], list[Record]]


Accessor = Scalar | Related | Many


def _one(table: str, key: str) -> Callable[[Workspace, Record], Record | None]:
    def get(ws: Workspace, record: Record) -> Record | None:
        ref = record.get(key)
        return getattr(ws, table).get(ref) if ref else None

    return get


def _labels(ws: Workspace, issue: Record) -> list[Record]:
    return [ws.labels[i] for i in issue["labelIds"] if i in ws.labels]


_STAMPS = {k: Scalar(k) for k in ("id", "createdAt", "updatedAt")}
FIELDS: dict[str, dict[str, Accessor]] = {
    "Issue": {
        **_STAMPS,
        **{k: Scalar(k) for k in ("title", "priority", "estimate", "number", "startedAt", "completedAt")},
        "team": Related("Team", _one("teams", "teamId")),
        "state": Related("WorkflowState", _one("states", "stateId")),
        "assignee": Related("User", _one("users", "assigneeId")),
        "parent": Related("Issue", _one("issues", "parentId")),
        "labels": Many("IssueLabel", _labels),
    },
    "Team": {**_STAMPS, "key": Scalar("key"), "name": Scalar("name")},
    "WorkflowState": {
        **_STAMPS,
        "name": Scalar("name"),
        "type": Scalar("type"),
        "team": Related("Team", _one("teams", "teamId")),
    },
    "IssueLabel": {
        **_STAMPS,
        "name": Scalar("name"),
        "isGroup": Scalar("isGroup"),
        "parent": Related("IssueLabel", _one("labels", "parentId")),
        "team": Related("Team", _one("teams", "teamId")),
    },
    "Attachment": {**_STAMPS, "url": Scalar("url"), "title": Scalar("title"), "subtitle": Scalar("subtitle")},
    "Comment": {**_STAMPS, "body": Scalar("body"), "user": Related("User", _one("users", "userId"))},
    "User": {**_STAMPS, "name": Scalar("name"), "email": Scalar("email"), "displayName": Scalar("displayName")},
    "CustomerNeed": {**_STAMPS, "priority": Scalar("priority")},
}


_DURATION = re.compile(
    r"^(?P<sign>[-+]?)P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def _duration(text: str) -> timedelta | None:
    """An ISO-8601 duration (`-P2W1D`, `P1DT12H`) as a timedelta; years and months count 365 and 30 days."""
    found = _DURATION.match(text)
    if found is None or text.rstrip("T").endswith("P"):
        return None
    part = {k: float(v) for k, v in found.groupdict().items() if v and k != "sign"}
    days = part.get("years", 0) * 365 + part.get("months", 0) * 30 + part.get("weeks", 0) * 7 + part.get("days", 0)
    delta = timedelta(
        days=days, hours=part.get("hours", 0), minutes=part.get("minutes", 0), seconds=part.get("seconds", 0)
    )
    return -delta if found.group("sign") == "-" else delta


def _moment(value: Any, where: str) -> datetime:
    # Linear's DateTimeOrDuration: an ISO timestamp, or a duration relative to now ("-P2W" = two weeks ago).
    if isinstance(value, str):
        delta = _duration(value.strip())
        if delta is not None:
            return datetime.now(UTC) + delta
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise input_error(f"{where}: {value!r} is neither an ISO-8601 date-time nor an ISO-8601 duration such as -P2W")


def _ordered(value: Any, expected: Any, where: str) -> tuple[Any, Any]:
    """The two sides of gt/gte/lt/lte made comparable: dates as datetimes, numbers as numbers."""
    if isinstance(value, str) and isinstance(expected, str):
        return _moment(value, where), _moment(expected, where)
    if isinstance(value, int | float) and isinstance(expected, int | float):
        return value, expected
    raise input_error(f"{where}: cannot compare {value!r} with {expected!r}")


def _order_test(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any, str], bool]:
    def test(value: Any, expected: Any, where: str) -> bool:
        if value is None:
            return False
        return op(*_ordered(value, expected, where))

    return test


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda v, x: v == x,
    "neq": lambda v, x: v != x,
    "in": lambda v, x: v in x,
    "nin": lambda v, x: v not in x,
    "eqIgnoreCase": lambda v, x: _fold(v) == _fold(x),
    "neqIgnoreCase": lambda v, x: _fold(v) != _fold(x),
    "contains": lambda v, x: isinstance(v, str) and x in v,
    "notContains": lambda v, x: not (isinstance(v, str) and x in v),
    "containsIgnoreCase": lambda v, x: isinstance(v, str) and _fold(x) in _fold(v),
    "startsWith": lambda v, x: isinstance(v, str) and v.startswith(x),
    "startsWithIgnoreCase": lambda v, x: isinstance(v, str) and _fold(v).startswith(_fold(x)),
    "notStartsWith": lambda v, x: not (isinstance(v, str) and v.startswith(x)),
    "endsWith": lambda v, x: isinstance(v, str) and v.endswith(x),
    "null": lambda v, x: (v is None) == bool(x),
}
_ORDER: dict[str, Callable[[Any, Any, str], bool]] = {
    "gt": _order_test(lambda a, b: a > b),
    "gte": _order_test(lambda a, b: a >= b),
    "lt": _order_test(lambda a, b: a < b),
    "lte": _order_test(lambda a, b: a <= b),
}


def _unsupported(what: str) -> GraphQLError:
    return GraphQLError(
        f"The Linear sandbox does not support the filter {what}; extend connectors/linear/sandbox/filters.py.",
        extensions={"type": "invalid input", "code": "INPUT_ERROR", "userError": True},
    )


def _compare(value: Any, comparator: Mapping[str, Any], where: str) -> bool:
    for op, expected in comparator.items():
        if expected is None and op != "null":
            continue
        if op in _ORDER:
            if not _ORDER[op](value, expected, f"{where}.{op}"):
                return False
            continue
        test = _COMPARATORS.get(op)
        if test is None:
            raise _unsupported(f"comparator {where}.{op}")
        if not test(value, expected):
            return False
    return True


def matches(ws: Workspace, type_name: str, record: Record | None, spec: Mapping[str, Any] | None) -> bool:
    """Whether `record` (of GraphQL type `type_name`) passes the filter `spec` (None: everything passes)."""
    if not spec:
        return True
    fields = FIELDS.get(type_name)
    if fields is None:
        raise _unsupported(f"on {type_name}")
    for key, value in spec.items():
        if value is None:
            continue
        if key == "and":
            if not all(matches(ws, type_name, record, part) for part in value):
                return False
        elif key == "or":
            if not any(matches(ws, type_name, record, part) for part in value):
                return False
        elif key == "null":
            if (record is None) != bool(value):
                return False
        elif record is None or not _match_field(ws, type_name, record, key, value, fields):
            return False
    return True


def _match_field(
    ws: Workspace, type_name: str, record: Record, key: str, value: Any, fields: Mapping[str, Accessor]
) -> bool:
    accessor = fields.get(key)
    if accessor is None:
        raise _unsupported(f"{type_name}.{key}")
    if isinstance(accessor, Scalar):
        return _compare(record.get(accessor.key), value, f"{type_name}.{key}")
    if isinstance(accessor, Related):
        return matches(ws, accessor.type_name, accessor.get(ws, record), value)
    items = accessor.get(ws, record)
    for op, inner in value.items():
        if op == "some" and not any(matches(ws, accessor.type_name, i, inner) for i in items):
            return False
        if op == "every" and not all(matches(ws, accessor.type_name, i, inner) for i in items):
            return False
        if op == "none" and any(matches(ws, accessor.type_name, i, inner) for i in items):
            return False
        if op not in ("some", "every", "none"):
            raise _unsupported(f"{type_name}.{key}.{op}")
    return True
