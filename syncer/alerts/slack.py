"""Slack incoming webhook with a Block Kit message.

It says what is over its limit (column, assignee or team), the count against the limit, the oldest items with
links and ages, and what to do: finish before starting. Slack's limits are respected by construction: header
text <= 150 characters, section text <= 3000, at most 50 blocks.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import SecretStr

from syncer.alerts import render
from syncer.alerts.base import post, redact_in_logs
from syncer.alerts.events import AlertEvent
from syncer.escape import slack as slack_text
from syncer.escape import slack_link

HEADER_MAX = 150
SECTION_MAX = 3000
MAX_ITEMS = 10


def escape(value: object) -> str:
    """Slack mrkdwn treats &, < and > as control characters (`<!channel>` notifies everyone)."""
    return slack_text(value)


def link(url: str, label: str) -> str:
    """`<url|label>` for an http(s) URL only; anything else (a `javascript:` URL) is the label as text."""
    return slack_link(url, label)


def clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def escaped_within(value: str, limit: int) -> str:
    """`escape(value)` in at most `limit` characters, clipped before escaping so no entity is cut in half."""
    out, keep = escape(value), len(value)
    while len(out) > limit:
        keep -= len(out) - limit
        out = escape(clip(value, keep))
    return out


def _mrkdwn(value: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(value, SECTION_MAX)}


def _item_lines(event: AlertEvent) -> list[str]:
    out = []
    for item in list(event.data.get("items", []))[:MAX_ITEMS]:
        who = f" · {escape(render.name(item['assignee']))}" if item.get("assignee") else ""
        label = f"{render.name(item['key'])} {render.title_text(item['title'])}"
        out.append(f"• {link(item['url'], label)} — {render.days(item['age_days'])}{who}")
    return out


def _fit(lines: list[str]) -> str:
    """Join as many whole lines as fit in one section."""
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line])) > SECTION_MAX:
            break
        kept.append(line)
    return "\n".join(kept)


def payload(event: AlertEvent) -> dict[str, Any]:
    d = event.data
    since = event.episode_started.date().isoformat()
    head = render.title(event)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": escaped_within(head, HEADER_MAX), "emoji": True}}
    ]
    if event.category == "wip":
        what = escape(render.scope_label(d))
        summary = (
            f"*{what}* on *{escape(event.tracker)}* has *{d['count']}* items in progress; its limit is *{d['limit']}*."
        )
        if event.type == "resolved":
            summary = f"*{what}* on *{escape(event.tracker)}* is back within its limit of *{d['limit']}*."
        elif event.type == "reminder":
            summary += f" Over the limit since {since}."
        blocks.append({"type": "section", "text": _mrkdwn(summary)})
        if event.type != "resolved":
            blocks.append({"type": "section", "text": _mrkdwn(_fit(["*Oldest first*", *_item_lines(event)]))})
            advice = render.ADVICE_WIP.format(what=render.scope_label(d).split(" ", 1)[0])
            blocks.append({"type": "context", "elements": [_mrkdwn(escape(advice))]})
    else:
        item = link(d["url"], f"{render.name(d['issue'])} {render.title_text(d['title'])}")
        if event.type == "resolved":
            blocks.append({"type": "section", "text": _mrkdwn(f"{item} is no longer aging (alerted since {since}).")})
        else:
            who = escape(render.name(d.get("assignee")) or "nobody")
            summary = (
                f"{item} has been in progress for *{render.days(d['age_days'])}* "
                f"(status {escape(render.name(d['status']))}, assigned to {who}).\n"
                f"Threshold: {render.days(d['threshold_days'])}, {escape(d['rule'])}."
            )
            blocks.append({"type": "section", "text": _mrkdwn(summary)})
            blocks.append({"type": "context", "elements": [_mrkdwn(escape(render.ADVICE_AGING))]})
    # `text` is the notification and screen-reader fallback Slack asks for alongside blocks. It is mrkdwn too:
    # unescaped, an assignee named "<!channel>" would notify the whole channel.
    return {"text": escaped_within(head, SECTION_MAX), "blocks": blocks}


class SlackSink:
    def __init__(self, name: str, webhook_url: SecretStr, client: httpx.Client) -> None:
        self.name = name
        self._url = webhook_url
        self._client = client
        redact_in_logs(webhook_url.get_secret_value())

    def send(self, event: AlertEvent) -> None:
        body = json.dumps(payload(event), ensure_ascii=False).encode("utf-8")
        post(self._client, self._url.get_secret_value(), body, {}, what=f"slack destination {self.name!r}")
