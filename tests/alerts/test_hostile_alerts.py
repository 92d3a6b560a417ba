"""Alert messages built from hostile tracker content: what Slack, a webhook receiver, a terminal and a mail
client get. Each event is tested twice: as built now, and as stored raw in the outbox by an older syncer."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from syncer.alerts import slack, webhook
from syncer.alerts.console import ConsoleSink
from syncer.alerts.email import message
from syncer.alerts.events import AlertEvent, aging_subject, wip_subject
from syncer.models import IssueRef, StatusCategory, TrackerIssue, WipBreach, WipItem
from tests.alerts.blockkit import validate

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
MENTION = "<!channel> @here <@U0001>"
JS = "javascript:alert(document.domain)"
TERMINAL = "\x1b]0;pwned\x07\x1b[2K\x1b[31mfake OK\x1b[0m"
BIDI = "\u202egnp.exe"
HUGE = "A" * 100_000


def _wip(name: str, title: str, url: str, assignee: str) -> dict[str, Any]:
    """The subject data of an assignee breach, exactly as an older syncer stored it (nothing escaped)."""
    items = [
        {"key": f"ACME-{n}", "title": f"{title} {n}", "url": url, "age_days": 3.0, "assignee": assignee}
        for n in (1, 2, 3, 4)
    ]
    return {"scope": "assignee", "name": name, "limit": 3, "count": 4, "source": "config", "items": items}


def _raw_wip_event(**kw: str) -> AlertEvent:
    data = _wip(kw.get("name", MENTION), kw.get("title", "Fix"), kw.get("url", JS), kw.get("assignee", MENTION))
    return AlertEvent("e1", "started", "wip", "jira/assignee/x", "jira", NOW - timedelta(days=1), NOW, data)


def _built_wip_event(**kw: str) -> AlertEvent:
    title, url, assignee = kw.get("title", "Fix"), kw.get("url", JS), kw.get("assignee", MENTION)
    items = tuple(WipItem(IssueRef("jira", f"ACME-{n}"), f"{title} {n}", url, NOW, 3.0) for n in (1, 2, 3, 4))
    issues = {
        f"ACME-{n}": TrackerIssue(
            "jira", f"ACME-{n}", str(n), url, title, "Doing", StatusCategory.IN_PROGRESS, NOW, NOW, assignee=assignee
        )
        for n in (1, 2, 3, 4)
    }
    subject = wip_subject(WipBreach("jira", "assignee", kw.get("name", MENTION), 3, 4, items), issues)
    return AlertEvent.new("started", subject, episode_started=NOW - timedelta(days=1), at=NOW)


def _aging_event(built: bool, *, key: str = "ACME-7", title: str = "Migrate", url: str = JS) -> AlertEvent:
    if built:
        issue = TrackerIssue(
            "jira", key, "7", url, title, TERMINAL, StatusCategory.IN_PROGRESS, NOW, NOW, assignee=MENTION
        )
        subject = aging_subject(issue, age_days=21.0, threshold_days=12.5, rule="max_age_days = 12.5")
        return AlertEvent.new("started", subject, episode_started=NOW, at=NOW)
    data = {
        "issue": key, "title": title, "url": url, "status": TERMINAL, "assignee": MENTION, "team": None,
        "age_days": 21.0, "threshold_days": 12.5, "rule": "max_age_days = 12.5",
    }  # fmt: skip
    return AlertEvent("e2", "started", "aging", f"jira/aging/{key}", "jira", NOW, NOW, data)


BUILDERS = pytest.mark.parametrize("build", [_raw_wip_event, _built_wip_event], ids=["stored-raw", "built"])


def _all_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


@BUILDERS
def test_slack_notification_text_and_blocks_mention_nobody(build: Any) -> None:
    payload = slack.payload(build())
    assert "<!channel>" not in payload["text"] and "<@U0001>" not in payload["text"]
    assert "&lt;!channel&gt;" in payload["text"]
    assert "<!channel>" not in _all_text(payload) and "<@U0001>" not in _all_text(payload)
    assert validate(payload) == []


@BUILDERS
def test_slack_links_only_http_urls(build: Any) -> None:
    payload = slack.payload(build())
    assert "javascript:" not in _all_text(payload)
    good = slack.payload(build(url="https://acme.test/browse/ACME-1"))
    assert "<https://acme.test/browse/ACME-1|ACME-1 Fix 1>" in _all_text(good)


@BUILDERS
def test_a_100_kb_title_still_leaves_every_item_in_the_oldest_first_section(build: Any) -> None:
    payload = slack.payload(build(title=HUGE, url="https://acme.test/x"))
    [oldest] = [b for b in payload["blocks"] if b["type"] == "section" and "Oldest first" in b["text"]["text"]]
    for n in (1, 2, 3, 4):
        assert f"ACME-{n} AAAA" in oldest["text"]["text"]
    assert validate(payload) == []


@pytest.mark.parametrize("built", [False, True], ids=["stored-raw", "built"])
def test_the_console_alert_prints_no_terminal_escape_or_bidi_override(built: bool) -> None:
    event = _aging_event(built, key=f"ACME-7{BIDI}", title=f"Fix {TERMINAL}")
    err = io.StringIO()
    with redirect_stderr(err):
        ConsoleSink("console").send(event)
    out = err.getvalue()
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "]0;pwned" not in out and "[2K" not in out
    assert "ACME-7gnp.exe" in out and "fake OK" in out
    assert "javascript:" not in out


@pytest.mark.parametrize("built", [False, True], ids=["stored-raw", "built"])
def test_the_webhook_payload_carries_no_control_character_or_script_url(built: bool) -> None:
    body = webhook.body(_aging_event(built, key="ACME-7\x00", title=f"{BIDI} {HUGE}"))
    text = body.decode("utf-8")
    for bad in ("\\u0000", "\\u001b", "\\u0007", "\u202e", "javascript:"):
        assert bad not in text
    payload = json.loads(body)
    assert len(payload["title"]) < 300
    jsonschema_ok = webhook.json_schema()
    import jsonschema

    jsonschema.validate(payload, jsonschema_ok)


@pytest.mark.parametrize("built", [False, True], ids=["stored-raw", "built"])
def test_an_email_subject_is_one_line_whatever_the_issue_key(built: bool) -> None:
    msg = message(_aging_event(built, key="ACME-7\r\nBcc: victim@evil.test"), sender="s@acme.test", to=["t@acme.test"])
    assert msg["Bcc"] is None
    assert msg["Subject"].startswith("[syncer] Aging item: ACME-7 Bcc: victim@evil.test on jira")
    assert "javascript:" not in msg.get_content()
