"""Broken setups a first run meets, applied to a sandbox workspace so every `syncer doctor` check can be seen
failing. `syncer sandbox linear --break NAME` (repeatable) applies them; tests call `apply` directly."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from connectors.linear.sandbox.store import Workspace


def drop_label_group(ws: Workspace, name: str) -> None:
    """Delete the label group `name` (any case) with its labels, and take them off every issue."""
    groups = {i for i, lb in ws.labels.items() if lb.get("isGroup") and str(lb["name"]).casefold() == name.casefold()}
    gone = groups | {i for i, lb in ws.labels.items() if lb.get("parentId") in groups}
    for label_id in gone:
        del ws.labels[label_id]
    for issue in ws.issues.values():
        issue["labelIds"] = [i for i in issue["labelIds"] if i not in gone]


PRESETS: Mapping[str, tuple[Callable[[Workspace], None], str]] = {
    "missing-label-group": (lambda ws: drop_label_group(ws, "Confidence"), "no label group Confidence"),
}
"""Name -> (change, what it presents)."""


def apply(ws: Workspace, *names: str) -> Workspace:
    """`ws` with each named preset applied; an unknown name raises KeyError listing the known ones."""
    for name in names:
        if name not in PRESETS:
            raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
        PRESETS[name][0](ws)
    return ws
