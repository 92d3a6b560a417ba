"""Relay connections over sandbox records: `first`/`after`, `last`/`before`, `pageInfo`, `nodes` and `edges`."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
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


def order(records: Sequence[Record], order_by: str | None) -> list[Record]:
    """Linear's `PaginationOrderBy`: createdAt (the default) or updatedAt, ties broken by id for stable pages."""
    key = "updatedAt" if order_by == "updatedAt" else "createdAt"
    return sorted(records, key=lambda r: (r.get(key) or "", r["id"]))


def _position(records: Sequence[Record], cursor: str) -> int:
    wanted = _decode_cursor(cursor)
    for index, record in enumerate(records):
        if record["id"] == wanted:
            return index
    raise input_error(f"Cursor {cursor!r} does not point to an entity in this list")


def connection(records: Sequence[Record], args: Mapping[str, Any]) -> dict[str, Any]:
    """One page of `records` (already filtered and ordered) as a Linear connection object."""
    first, last = args.get("first"), args.get("last")
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE:
            # The real API's documented page limit; larger pages are refused, not silently trimmed.
            raise input_error(f"Argument {name} must be between 0 and {MAX_PAGE} (got {size})")
    start, end = 0, len(records)
    if args.get("after"):
        start = _position(records, args["after"]) + 1
    if args.get("before"):
        end = _position(records, args["before"])
    window = list(records[start:end])
    if last is not None and first is None:
        page = window[max(0, len(window) - last) :]
        has_next, has_previous = end < len(records), len(window) > len(page) or start > 0
    else:
        size = DEFAULT_PAGE if first is None else first
        page = window[:size]
        has_next, has_previous = len(window) > len(page) or end < len(records), start > 0
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
