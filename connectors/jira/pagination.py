"""Paginators own every cursor: the connector only asks `params()`, feeds `update(page)` and checks `has_next`.

Jira pages two ways. Cloud's `search/jql` hands out an opaque `nextPageToken` and omits the key on the last page
(absent, not null); there is no total, and a page can hold fewer issues than `maxResults` even when more follow,
so only the token says whether to go on. Data Center's `/search` pages by `startAt` and reports `total`; the
server may cap `maxResults`, so the next offset is computed from the issues actually received.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from connectors.errors import TrackerUnavailable

log = logging.getLogger(__name__)


class PaginationLoopError(TrackerUnavailable):
    """The server sent a cursor it already sent: following it would loop forever."""


class Paginator(Protocol):
    has_next: bool
    pages: int

    def params(self) -> dict[str, Any]:
        """The cursor part of the next request."""
        ...

    def update(self, page: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Advance past `page`; return its issues."""
        ...


def _issues(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    issues = page.get("issues")
    return [i for i in issues if isinstance(i, dict)] if isinstance(issues, list) else []


class NextPageTokenPaginator:
    """Cloud `search/jql`: follow `nextPageToken` until it is absent (or `isLast` is true)."""

    def __init__(self) -> None:
        self.has_next = True
        self._token: str | None = None
        self._seen: set[str] = set()
        self.pages = 0

    def params(self) -> dict[str, Any]:
        return {"nextPageToken": self._token} if self._token else {}

    def update(self, page: Mapping[str, Any]) -> list[dict[str, Any]]:
        self.pages += 1
        token = page.get("nextPageToken")
        if page.get("isLast") is False and not (isinstance(token, str) and token):
            # Ranking and writing back from a partial backlog would be wrong for every issue: stop instead.
            raise PaginationLoopError(f"Jira said page {self.pages} is not the last but sent no nextPageToken")
        if not isinstance(token, str) or not token or page.get("isLast") is True:
            self.has_next = False
            self._token = None
        elif token in self._seen:
            raise PaginationLoopError(f"Jira sent nextPageToken {token[:24]!r} twice (page {self.pages})")
        else:
            self._seen.add(token)
            self._token = token
        return _issues(page)


class StartAtPaginator:
    """Data Center `/search`: advance `startAt` by the issues received until `total` is reached."""

    def __init__(self) -> None:
        self.has_next = True
        self._start = 0
        self.pages = 0

    def params(self) -> dict[str, Any]:
        return {"startAt": self._start}

    def update(self, page: Mapping[str, Any]) -> list[dict[str, Any]]:
        self.pages += 1
        issues = _issues(page)
        echoed = page.get("startAt", self._start)
        if echoed != self._start:
            raise PaginationLoopError(f"asked Jira for startAt={self._start}, it answered startAt={echoed}")
        total = page.get("total")
        self._start += len(issues)
        if not issues:
            if isinstance(total, int) and self._start < total:
                # Issues deleted or moved out of the JQL while we paged: the tail is gone, not an error.
                log.warning("jira.search-short total=%d received=%d", total, self._start)
            self.has_next = False
        elif not isinstance(total, int) or self._start >= total:
            self.has_next = False
        return issues
