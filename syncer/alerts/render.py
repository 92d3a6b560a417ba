"""Alert text for people: a title and a few lines, shared by the console, file, e-mail and the webhook's text.

Every value that came from a tracker goes through `syncer.escape` here, not only when the subject was made: a
message queued by an older syncer is sent from the outbox as it was stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncer.alerts.events import AlertEvent
from syncer.escape import NAME_MAX, TITLE_MAX, clean, http_url, one_line

ADVICE_WIP = (
    "What to do: finish or unblock the oldest items before starting anything new; "
    "pull no new work into this {what} until it is back within its limit."
)
ADVICE_AGING = "What to do: ask what is blocking it; swarm on it, split it, or decide to stop it."


def name(value: Any) -> str:
    """A key, person, status or team from a tracker, as one clean line."""
    return one_line("" if value is None else value, NAME_MAX)


def title_text(value: Any) -> str:
    """An issue title from a tracker, as one clean line of at most 200 characters."""
    return one_line("" if value is None else value, TITLE_MAX)


def url(value: Any) -> str:
    """An http(s) URL, or nothing: no other scheme is ever shown as something to click."""
    return http_url(value) or ""


def scope_label(data: Mapping[str, Any]) -> str:
    """ "column In Progress", "assignee ana", "team ENG"."""
    scope = str(data.get("scope", ""))
    noun = {"status": "column", "assignee": "assignee", "team": "team"}.get(scope, scope)
    return f"{noun} {name(data.get('name'))}"


def days(value: Any) -> str:
    return "age unknown" if value is None else f"{float(value):.1f} days"


def title(event: AlertEvent) -> str:
    d = event.data
    where = f"on {event.tracker}"
    if event.category == "wip":
        what = scope_label(d)
        if event.type == "started":
            return f"WIP limit exceeded: {what} {where} has {d['count']} in progress (limit {d['limit']})"
        if event.type == "reminder":
            return f"Still over WIP limit: {what} {where} has {d['count']} in progress (limit {d['limit']})"
        return f"WIP back within limit: {what} {where} (limit {d['limit']})"
    item = f"{name(d['issue'])} {where}"
    if event.type == "started":
        return f"Aging item: {item} in progress for {days(d['age_days'])}"
    if event.type == "reminder":
        return f"Still aging: {item} in progress for {days(d['age_days'])}"
    return f"No longer aging: {item}"


def lines(event: AlertEvent) -> list[str]:
    d = event.data
    since = event.episode_started.date().isoformat()
    out: list[str] = []
    if event.category == "wip":
        if event.type == "resolved":
            out.append(f"The {scope_label(d)} is back within its limit of {d['limit']} (over it since {since}).")
            return out
        if event.type == "reminder":
            out.append(f"Over its limit since {since}.")
        out.append("Oldest items first:")
        for item in d.get("items", []):
            who = f", {name(item['assignee'])}" if item.get("assignee") else ""
            line = (
                f"- {name(item['key'])} {title_text(item['title'])} ({days(item['age_days'])}{who}) {url(item['url'])}"
            )
            out.append(line.rstrip())
        out.append(ADVICE_WIP.format(what=str(scope_label(d)).split(" ", 1)[0]))
        return out
    out.append(f"{name(d['issue'])} {title_text(d['title'])} {url(d['url'])}".rstrip())
    if event.type == "resolved":
        out.append(f"It left progress or is no longer beyond the threshold (alerted since {since}).")
        return out
    who = name(d.get("assignee")) or "nobody"
    out.append(f"Status {name(d['status'])}, assigned to {who}; threshold {days(d['threshold_days'])} ({d['rule']}).")
    out.append(ADVICE_AGING)
    return out


def text(event: AlertEvent) -> str:
    return clean("\n".join([title(event), *lines(event)]))
