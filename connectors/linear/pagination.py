"""GraphQLCursorPaginator: walks a Relay connection (`first`/`after`, `pageInfo { hasNextPage endCursor }`).

The paginator owns every cursor; callers only pass it each answer and ask `has_next`. A cursor that comes back
twice, or a "next page" without a cursor, would loop forever, so both stop the walk with an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from connectors.errors import TrackerUnavailable


class PaginationLoopError(TrackerUnavailable):
    """Linear sent a cursor it had sent before (or none for a next page): reading on would never end."""


class GraphQLCursorPaginator:
    """Cursor state for one connection found at `path` inside an answer's `data` (e.g. ("issues",))."""

    def __init__(self, path: Sequence[str], *, after: str | None = None) -> None:
        """`after`: resume after this cursor (a nested connection's first page came inline with its parent)."""
        self.path = tuple(path)
        self.after = after
        self.has_next = True
        self.pages = 0
        self._seen: set[str] = {after} if after else set()

    def connection(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        node: Any = data
        for key in self.path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping):
            raise TrackerUnavailable(f"Linear's answer has no connection at {'.'.join(self.path)}")
        return node

    def update(self, data: Mapping[str, Any]) -> list[Any]:
        """Take one answer: return its nodes and move the cursor past them."""
        connection = self.connection(data)
        info = connection.get("pageInfo") or {}
        nodes = list(connection.get("nodes") or [])
        self.pages += 1
        self.has_next = bool(info.get("hasNextPage"))
        cursor = info.get("endCursor")
        if self.has_next:
            where = ".".join(self.path)
            if not cursor:
                raise PaginationLoopError(f"Linear said {where} has a next page but sent no cursor")
            if cursor in self._seen:
                raise PaginationLoopError(f"Loop detected in {where} pagination: cursor {cursor!r} came back")
            self._seen.add(cursor)
            self.after = cursor
        return nodes


def paginate(fetch: Callable[[str | None], Mapping[str, Any]], path: Sequence[str]) -> Iterator[Any]:
    """Every node of a connection; `fetch(after)` runs the query for one page and returns its `data`."""
    paginator = GraphQLCursorPaginator(path)
    while paginator.has_next:
        yield from paginator.update(fetch(paginator.after))
