"""Relay connections over sandbox records: `first`/`after`, `last`/`before`, `pageInfo`, `nodes` and `edges`.

A list is ordered once into an `Ordered` (records plus each id's position), so a cursor is found in O(1) and a
page costs its own size; `resolvers.page_of` keeps the ordered result of a root list between the pages of one
listing, so paging through N issues is O(N log N) once, not a filter and sort of all N per page.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError

from connectors.linear.sandbox.store import Record

DEFAULT_PAGE = 50
MAX_PAGE = 250


def input_error(message: str) -> GraphQLError:
    """An error shaped like Linear's user errors (HTTP 200, `extensions.type` "invalid input")."""
    return GraphQLError(
        message,
        extensions={
            "type": "invalid input",
            "code": "INPUT_ERROR",
            "statusCode": 400,
            "userError": True,
            "userPresentableMessage": message,
        },
    )


def encode_cursor(record_id: str) -> str:
    return base64.urlsafe_b64encode(record_id.encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise input_error(f"Invalid cursor: {cursor!r}") from exc


@dataclass(frozen=True)
class Ordered:
    """Records in page order, with the position of each id (a cursor is an encoded id)."""

    records: list[Record]
    position: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", {r["id"]: i for i, r in enumerate(self.records)})


def order(records: Iterable[Record], order_by: str | None) -> Ordered:
    """Linear's `PaginationOrderBy`: createdAt (the default) or updatedAt, ties broken by id for stable pages."""
    key = "updatedAt" if order_by == "updatedAt" else "createdAt"
    return Ordered(sorted(records, key=lambda r: (r.get(key) or "", r["id"])))


def _position(ordered: Ordered, cursor: str) -> int:
    found = ordered.position.get(_decode_cursor(cursor))
    if found is None:
        raise input_error(f"Cursor {cursor!r} does not point to an entity in this list")
    return found


def connection(ordered: Ordered, args: Mapping[str, Any]) -> dict[str, Any]:
    """One page of `ordered` (already filtered and ordered) as a Linear connection object."""
    records = ordered.records
    first, last = args.get("first"), args.get("last")
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE:
            # The real API's documented page limit; larger pages are refused, not silently trimmed.
            raise input_error(f"Argument {name} must be between 0 and {MAX_PAGE} (got {size})")
    start, end = 0, len(records)
    if args.get("after"):
        start = _position(ordered, args["after"]) + 1
    if args.get("before"):
        end = _position(ordered, args["before"])
    # The page is cut straight out of the whole list: slicing the window between the cursors first would copy
    # the rest of the list for every page.
    if last is not None and first is None:
        page_start = max(start, end - last)
        page = records[page_start:end]
        has_next, has_previous = end < len(records), page_start > start or start > 0
    else:
        page_end = min(end, start + (DEFAULT_PAGE if first is None else first))
        page = records[start:page_end]
        has_next, has_previous = page_end < end or end < len(records), start > 0
    cursors = [encode_cursor(r["id"]) for r in page]
    return {
        "nodes": page,
        "edges": [{"node": r, "cursor": c} for r, c in zip(page, cursors, strict=True)],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }
