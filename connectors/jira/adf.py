"""The worker's comment text as Jira wants it: ADF on REST v3, wiki markup on v2, with a findable marker.

ADF and wiki markup have no invisible comments, so the marker (`syncer:comment sha=<hash>`) is the last line in
a muted colour. It is the fallback locator: the issue's entity property normally says which comment is ours, and
the marker is searched only when a create may have gone through without us hearing the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from syncer import escape
from syncer.comments import MARKER_PREFIX

MARKER_COLOR = "#97a0af"
_MARKER_RE = re.compile(re.escape(MARKER_PREFIX) + r" sha=([0-9a-f]{8,64})")
_BULLET = "- "


def marker_text(text_hash: str) -> str:
    return f"{MARKER_PREFIX} sha={text_hash}"


def _text(value: str) -> dict[str, Any]:
    # ADF text nodes carry text, never markup, so only control and bidi characters need to go.
    return {"type": "text", "text": escape.clean(value)}


def _paragraph(line: str) -> dict[str, Any]:
    # An empty text node is invalid ADF; an empty paragraph is the blank line.
    return {"type": "paragraph", "content": [_text(line)] if line else []}


def to_adf(text: str, text_hash: str) -> dict[str, Any]:
    """Plain lines -> an ADF document: one paragraph per line, runs of "- " lines as a bullet list."""
    content: list[dict[str, Any]] = []
    bullets: list[dict[str, Any]] = []
    for line in text.strip().splitlines():
        if line.startswith(_BULLET):
            bullets.append({"type": "listItem", "content": [_paragraph(line[len(_BULLET) :])]})
            continue
        if bullets:
            content.append({"type": "bulletList", "content": bullets})
            bullets = []
        content.append(_paragraph(line))
    if bullets:
        content.append({"type": "bulletList", "content": bullets})
    muted = {"type": "textColor", "attrs": {"color": MARKER_COLOR}}
    content.append({"type": "paragraph", "content": [{**_text(marker_text(text_hash)), "marks": [muted]}]})
    return {"type": "doc", "version": 1, "content": content}


def to_wiki(text: str, text_hash: str) -> str:
    """Plain lines -> wiki markup, with markup characters escaped so a formula never turns into *bold* and a
    quoted input value never into a link, macro or [~mention]."""
    lines = []
    for line in text.strip().splitlines():
        if line.startswith(_BULLET):
            lines.append("* " + escape.wiki(line[len(_BULLET) :]))
        else:
            lines.append(escape.wiki(line))
    lines.append(f"{{color:{MARKER_COLOR}}}{marker_text(text_hash)}{{color}}")
    return "\n".join(lines)


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "text" and isinstance(node.get("text"), str):
            yield node["text"]
        yield from _texts(node.get("content"))
    elif isinstance(node, list):
        for child in node:
            yield from _texts(child)


def plain_text(body: Any) -> str:
    """The text of a comment body as Jira returns it (an ADF document or a wiki string)."""
    if isinstance(body, str):
        return body
    return "\n".join(_texts(body))


def find_marker(body: Any) -> str | None:
    """The hash in a body's marker, or None when the comment is not the worker's."""
    match = _MARKER_RE.search(plain_text(body))
    return match.group(1) if match else None
