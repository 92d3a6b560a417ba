"""The cursor paginator never loops: a repeated cursor or a next page without one stops the walk."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.linear.pagination import GraphQLCursorPaginator, PaginationLoopError, paginate


def _page(nodes: list[int], cursor: str | None, more: bool) -> dict[str, Any]:
    return {"issues": {"nodes": nodes, "pageInfo": {"hasNextPage": more, "endCursor": cursor}}}


def test_pages_are_followed_by_their_end_cursor() -> None:
    pages = {None: _page([1, 2], "a", True), "a": _page([3], "b", True), "b": _page([], None, False)}
    asked: list[str | None] = []

    def fetch(after: str | None) -> dict[str, Any]:
        asked.append(after)
        return pages[after]

    assert list(paginate(fetch, ("issues",))) == [1, 2, 3]
    assert asked == [None, "a", "b"]


def test_a_cursor_that_comes_back_is_a_loop() -> None:
    paginator = GraphQLCursorPaginator(("issues",))
    paginator.update(_page([1], "a", True))
    with pytest.raises(PaginationLoopError, match="Loop detected in issues pagination"):
        paginator.update(_page([2], "a", True))


def test_a_next_page_without_cursor_is_refused() -> None:
    with pytest.raises(PaginationLoopError, match="no cursor"):
        GraphQLCursorPaginator(("issues",)).update(_page([1], None, True))


def test_resuming_after_an_inline_first_page_treats_that_cursor_as_seen() -> None:
    paginator = GraphQLCursorPaginator(("issue", "needs"), after="c1")
    with pytest.raises(PaginationLoopError):
        paginator.update({"issue": {"needs": {"nodes": [], "pageInfo": {"hasNextPage": True, "endCursor": "c1"}}}})
