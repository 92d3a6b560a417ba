"""A structural validator for the Block Kit subset our Slack messages use (limits from Slack's reference)."""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50


def _text(obj: Any, where: str, *, limit: int, kinds: tuple[str, ...] = ("plain_text", "mrkdwn")) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return [f"{where}: text object must be one of {kinds}, got {obj!r:.80}"]
    problems = []
    if set(obj) - {"type", "text", "emoji", "verbatim"}:
        problems.append(f"{where}: unknown keys {sorted(set(obj) - {'type', 'text', 'emoji', 'verbatim'})}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        problems.append(f"{where}: text must be a non-empty string")
    elif len(text) > limit:
        problems.append(f"{where}: {len(text)} characters > {limit}")
    if obj["type"] == "mrkdwn" and "emoji" in obj:
        problems.append(f"{where}: emoji is only allowed on plain_text")
    return problems


def validate(message: dict[str, Any]) -> list[str]:
    """Every problem found; an empty list means the message is well-formed."""
    problems: list[str] = []
    if not isinstance(message.get("text"), str) or not message["text"]:
        problems.append("top-level text (notification fallback) is missing")
    blocks = message.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return [*problems, "blocks must be a non-empty list"]
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks > {MAX_BLOCKS}")
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        kind = block.get("type")
        if "block_id" in block and len(block["block_id"]) > 255:
            problems.append(f"{where}: block_id too long")
        if kind == "header":
            problems += _text(block.get("text"), f"{where}.text", limit=150, kinds=("plain_text",))
        elif kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"{where}: section needs text or fields")
            if "text" in block:
                problems += _text(block["text"], f"{where}.text", limit=3000)
            for j, f in enumerate(block.get("fields", [])):
                problems += _text(f, f"{where}.fields[{j}]", limit=2000)
            if len(block.get("fields", [])) > 10:
                problems.append(f"{where}: more than 10 fields")
        elif kind == "context":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 10:
                problems.append(f"{where}: context needs 1..10 elements")
            for j, e in enumerate(elements):
                problems += _text(e, f"{where}.elements[{j}]", limit=3000)
        elif kind == "divider":
            if set(block) - {"type", "block_id"}:
                problems.append(f"{where}: divider takes no content")
        else:
            problems.append(f"{where}: unexpected block type {kind!r}")
    return problems
