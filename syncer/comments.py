"""The worker's explanatory comment: its text, its hidden marker and the hash that says whether it is current.

The text is plain lines (no tracker markup); each connector renders it for its tracker (ADF on Jira v3, wiki
markup on v2, Markdown on Linear and the local tracker) and embeds `marker(hash)` where the tracker keeps it
invisible or unobtrusive. The marker carries the hash of the text, so a connector can report what it last wrote
without storing anything else, and planning never compares tracker-specific markup.
"""

from __future__ import annotations

import hashlib
import re

from syncer.models import ScoreResult, TrackerIssue

MARKER_PREFIX = "syncer:comment"
_MARKER_RE = re.compile(r"<!--\s*syncer:comment(?:\s+sha=([0-9a-f]{8,64}))?\s*-->")


def text_hash(text: str) -> str:
    """A short, stable fingerprint of comment text (whitespace at the ends ignored)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def marker(hash_: str) -> str:
    """The HTML-comment marker for Markdown bodies; invisible when rendered."""
    return f"<!-- {MARKER_PREFIX} sha={hash_} -->"


def find_marker(body: str) -> str | None:
    """The hash recorded in a body's marker; "" for a marker without hash; None when the body is not ours."""
    match = _MARKER_RE.search(body)
    if match is None:
        return None
    return match.group(1) or ""


def strip_marker(body: str) -> str:
    return _MARKER_RE.sub("", body).strip()


def _fmt(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def render_comment(issue: TrackerIssue, result: ScoreResult, *, extra: tuple[str, ...] = ()) -> str:
    """The comment text for one issue. Deterministic: the same result renders the same text on every run.

    No timestamps and no rank go in: an edited comment notifies watchers, and one issue moving up would shift
    the rank of every issue below it. The rank lives in its field; the comment changes only when this issue's
    own score, bucket or inputs do.
    """
    lines: list[str] = []
    if result.scored and result.score is not None and result.breakdown is not None:
        head = f"Priority score ({result.breakdown.model.upper()}): {_fmt(result.score)}"
        if result.bucket:
            head += f" — bucket {result.bucket}"
        lines.append(head)
        lines.append(result.breakdown.formula)
        if result.moscow and result.moscow != result.bucket:
            lines.append(f"MoSCoW: {result.moscow}")
    else:
        lines.append("Priority score: needs input — this issue is not ranked until these are fixed:")
        lines.extend(f"- {p.input}: {p.message}" for p in result.problems)
    lines.extend(extra)
    lines.append("Written by syncer and updated in place when the score changes; edit the inputs, not this comment.")
    return "\n".join(lines)
