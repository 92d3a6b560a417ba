"""`nextPageToken` as Jira Cloud treats it: an opaque handle, valid only for the request that produced it, expiring.

The token is random and its meaning lives here (offset, fingerprint of the request, expiry), so a client cannot
build one, and one reused with a different query, field list, expand, property list or page size fails with
Jira's 400 instead of paging something else. Retrying the same request with the same token works (a read may be
retried after a dropped connection). Tokens live for `ttl` seconds (Jira: 7 days).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

INVALID = "The provided next page token is invalid or expired."
WEEK = 7 * 24 * 3600.0
MAX_TOKENS = 100_000


@dataclass(frozen=True)
class _Entry:
    offset: int
    fingerprint: str
    expires: float
    matches: Sequence[Any] | None = None
    """The query's ordered result when the token was issued: later pages slice it instead of running the JQL over
    every issue again (which made paging through N issues cost N x N / page size)."""


def fingerprint(request: dict[str, Any]) -> str:
    """Everything that shapes the result set or the page, except the token itself."""
    relevant = {k: v for k, v in request.items() if k != "nextPageToken"}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


class TokenStore:
    def __init__(self, ttl: float = WEEK, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def issue(self, offset: int, request: dict[str, Any], matches: Sequence[Any] | None = None) -> str:
        token = secrets.token_urlsafe(24)
        now = self.clock()
        with self._lock:
            if len(self._entries) >= MAX_TOKENS:
                self._entries = {k: e for k, e in self._entries.items() if e.expires > now}
            self._entries[token] = _Entry(offset, fingerprint(request), now + self.ttl, matches)
        return token

    def offset(self, token: str, request: dict[str, Any]) -> int | None:
        """The offset `token` stands for in this request, or None when it is unknown, foreign or expired."""
        found = self.page(token, request)
        return None if found is None else found[0]

    def page(self, token: str, request: dict[str, Any]) -> tuple[int, Sequence[Any] | None] | None:
        """The offset and the result kept with `token`, or None when it is unknown, foreign or expired."""
        with self._lock:
            entry = self._entries.get(token)
        if entry is None or entry.expires <= self.clock() or entry.fingerprint != fingerprint(request):
            return None
        return entry.offset, entry.matches
