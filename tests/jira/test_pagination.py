"""Paginators on hand-built pages: Cloud's token (absent on the last page), Data Center's startAt/total."""

from __future__ import annotations

import pytest

from connectors.jira.pagination import NextPageTokenPaginator, PaginationLoopError, StartAtPaginator


def _issues(*keys: str) -> list[dict[str, str]]:
    return [{"key": k} for k in keys]


def test_token_pages_until_the_token_is_absent_even_when_pages_are_short() -> None:
    paginator = NextPageTokenPaginator()
    assert paginator.params() == {}
    assert paginator.update({"issues": _issues("A-1"), "nextPageToken": "t1"}) == _issues("A-1")
    assert paginator.has_next and paginator.params() == {"nextPageToken": "t1"}
    paginator.update({"issues": _issues("A-2", "A-3")})  # last page: the key is absent, not null
    assert not paginator.has_next and paginator.pages == 2


def test_token_paginator_stops_on_is_last_and_on_an_empty_token() -> None:
    on_last = NextPageTokenPaginator()
    on_last.update({"issues": [], "nextPageToken": "t", "isLast": True})
    empty = NextPageTokenPaginator()
    empty.update({"issues": _issues("A-1"), "nextPageToken": ""})
    assert not on_last.has_next and not empty.has_next


def test_not_last_without_a_token_stops_the_tracker_instead_of_ranking_a_partial_backlog() -> None:
    paginator = NextPageTokenPaginator()
    with pytest.raises(PaginationLoopError, match="not the last but sent no nextPageToken"):
        paginator.update({"issues": _issues("A-1"), "isLast": False})


def test_a_repeated_token_is_a_loop_not_an_endless_sync() -> None:
    paginator = NextPageTokenPaginator()
    paginator.update({"issues": _issues("A-1"), "nextPageToken": "same"})
    with pytest.raises(PaginationLoopError, match="twice"):
        paginator.update({"issues": _issues("A-2"), "nextPageToken": "same"})


def test_start_at_advances_by_what_arrived_when_the_server_caps_max_results() -> None:
    paginator = StartAtPaginator()
    paginator.update({"startAt": 0, "maxResults": 2, "total": 5, "issues": _issues("A-1", "A-2")})
    assert paginator.params() == {"startAt": 2}
    paginator.update({"startAt": 2, "maxResults": 2, "total": 5, "issues": _issues("A-3", "A-4")})
    paginator.update({"startAt": 4, "maxResults": 2, "total": 5, "issues": _issues("A-5")})
    assert not paginator.has_next and paginator.pages == 3


def test_start_at_stops_when_issues_vanish_mid_paging() -> None:
    paginator = StartAtPaginator()
    paginator.update({"startAt": 0, "total": 10, "issues": _issues("A-1")})
    assert paginator.update({"startAt": 1, "total": 10, "issues": []}) == []
    assert not paginator.has_next


def test_start_at_refuses_a_page_for_another_offset() -> None:
    paginator = StartAtPaginator()
    paginator.update({"startAt": 0, "total": 10, "issues": _issues("A-1")})
    with pytest.raises(PaginationLoopError, match="startAt=0"):
        paginator.update({"startAt": 0, "total": 10, "issues": _issues("A-1")})
