"""Alert text for people: a title and a few lines, shared by the console, file, e-mail and Slack fallback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncer.alerts.events import AlertEvent

ADVICE_WIP = (
    "What to do: finish or unblock the oldest items before starting anything new; "
    "pull no new work into this {what} until it is back within its limit."
)
ADVICE_AGING = "What to do: ask what is blocking it; swarm on it, split it, or decide to stop it."


def scope_label(data: Mapping[str, Any]) -> str:
    """ "column In Progress", "assignee ana", "team ENG"."""
    scope = str(data.get("scope", ""))
    noun = {"status": "column", "assignee": "assignee", "team": "team"}.get(scope, scope)
    return f"{noun} {data.get('name')}"


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
    item = f"{d['issue']} {where}"
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
            who = f", {item['assignee']}" if item.get("assignee") else ""
            out.append(f"- {item['key']} {item['title']} ({days(item['age_days'])}{who}) {item['url']}")
        out.append(ADVICE_WIP.format(what=str(scope_label(d)).split(" ", 1)[0]))
        return out
    out.append(f"{d['issue']} {d['title']} {d['url']}")
    if event.type == "resolved":
        out.append(f"It left progress or is no longer beyond the threshold (alerted since {since}).")
        return out
    who = d.get("assignee") or "nobody"
    out.append(f"Status {d['status']}, assigned to {who}; threshold {days(d['threshold_days'])} ({d['rule']}).")
    out.append(ADVICE_AGING)
    return out


def text(event: AlertEvent) -> str:
    return "\n".join([title(event), *lines(event)])
