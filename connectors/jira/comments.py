"""Finding the worker's comment on a Jira issue again, reading the issue's comments only where there is doubt.

Three sources, cheapest first:
1. the `syncer.comment` entity property (`{"id", "hash"}`), saved after each comment write and returned by search;
2. the `comment` field of the same search page: the issue's comment `total` and its first comments (Jira embeds at
   most 20); when they are all there, every comment carrying our marker is known without another request;
3. the issue's full comment list (`GET …/comment`), read only when (1) and (2) leave real doubt: the comment
   journal says a write to this issue began and was never recorded (a crash, a lost answer, a failed property
   save), the property is missing while the issue has more comments than the page embeds, or the property names
   a comment the embedded list contradicts.
Every comment with our marker and the same author as the kept one is ours: one is kept (the recorded one, else the
oldest), the others are duplicates to delete. Pure functions; the connector does the reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.jira.adf import find_marker
from syncer.models import WorkerComment

COMMENT_FIELD = "comment"


@dataclass(frozen=True, slots=True)
class Marked:
    """A comment carrying the worker's marker."""

    id: str
    hash: str
    author: str | None


@dataclass(frozen=True, slots=True)
class Embedded:
    """What a search page's `comment` field shows: our marked comments among those embedded, and the total."""

    marked: tuple[Marked, ...]
    total: int
    complete: bool


def _author(comment: Mapping[str, Any]) -> str | None:
    author = comment.get("author")
    if not isinstance(author, dict):
        return None
    for key in ("accountId", "key", "name"):
        if isinstance(author.get(key), str):
            return str(author[key])
    return None


def marked(comments: Iterable[Any]) -> list[Marked]:
    """The comments carrying our marker, in the order given."""
    found: list[Marked] = []
    for comment in comments:
        if not isinstance(comment, dict) or not isinstance(comment.get("id"), str | int):
            continue
        digest = find_marker(comment.get("body"))
        if digest is not None:
            found.append(Marked(str(comment["id"]), digest, _author(comment)))
    return found


def embedded(fields: Mapping[str, Any]) -> Embedded | None:
    """The search page's `comment` field, or None when the page did not carry it."""
    value = fields.get(COMMENT_FIELD)
    if not isinstance(value, dict) or not isinstance(value.get("comments"), list):
        return None
    comments = value["comments"]
    total = value.get("total")
    total = total if isinstance(total, int) and not isinstance(total, bool) else len(comments)
    return Embedded(tuple(marked(comments)), total, total <= len(comments))


def doubtful(recorded: WorkerComment | None, seen: Embedded | None, *, journaled: bool) -> bool:
    """Whether this issue's comments must be read to know which of them are ours."""
    if journaled:
        return True
    if seen is None:
        return False
    ids = {m.id for m in seen.marked}
    if recorded is None:
        return seen.total > 0 and not seen.complete
    if seen.complete:
        return recorded.id not in ids  # deleted by someone, or a search index lagging behind: look, do not guess
    return bool(ids - {recorded.id})


def resolve(recorded: WorkerComment | None, found: list[Marked]) -> WorkerComment | None:
    """The comment to keep, its duplicates and whether the property records it; None when none is ours."""
    if not found:
        return None
    keep = next((m for m in found if recorded is not None and m.id == recorded.id), found[0])
    # A person quoting our marker does not make their comment ours: only the kept comment's author's copies go.
    copies = tuple(m.id for m in found if m.id != keep.id and m.author == keep.author)
    is_recorded = recorded is not None and (recorded.id, recorded.text_hash) == (keep.id, keep.hash)
    return WorkerComment(keep.id, keep.hash, copies, is_recorded)
