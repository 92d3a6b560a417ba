"""What each destination actually sends: Slack Block Kit, the signed webhook body, the e-mail text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest

from syncer.alerts import slack, webhook
from syncer.alerts.events import AlertEvent, EventType, Subject, aging_subject, wip_subject
from syncer.models import IssueRef, StatusCategory, TrackerIssue, WipBreach, WipItem
from tests.alerts.blockkit import validate

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _breach(count: int = 5, title: str = "Fix login", scope: str = "status", name: str = "In Progress") -> WipBreach:
    items = tuple(
        WipItem(
            IssueRef("jira", f"ACME-{n}"),
            f"{title} {n}",
            f"https://acme.atlassian.net/browse/ACME-{n}",
            NOW - timedelta(days=30 - n),
            30.0 - n,
        )
        for n in range(1, count + 1)
    )
    return WipBreach("jira", scope, name, 3, count, items)


def _event(subject: Subject, type_: EventType = "started") -> AlertEvent:
    return AlertEvent.new(type_, subject, episode_started=NOW - timedelta(days=2), at=NOW)


def _aging() -> Subject:
    issue = TrackerIssue(
        "jira",
        "ACME-7",
        "7",
        "https://acme.atlassian.net/browse/ACME-7",
        "Migrate <billing> & invoices",
        "In Review",
        StatusCategory.IN_PROGRESS,
        NOW,
        NOW,
        assignee="ana",
        team="ENG",
    )
    return aging_subject(issue, age_days=21.04, threshold_days=12.5, rule="85th percentile of the 40 items finished")


def _all_events() -> list[AlertEvent]:
    subjects = [
        wip_subject(_breach(), {}),
        wip_subject(_breach(scope="assignee", name="ana"), {}),
        wip_subject(_breach(scope="team", name="ENG"), {}),
        _aging(),
    ]
    return [_event(s, t) for s in subjects for t in ("started", "reminder", "resolved")]


@pytest.mark.parametrize("event", _all_events(), ids=lambda e: f"{e.category}-{e.type}-{e.key}")
def test_slack_payload_is_valid_block_kit(event: AlertEvent) -> None:
    message = slack.payload(event)
    assert validate(message) == []


def test_slack_wip_message_says_what_how_many_which_items_and_what_to_do() -> None:
    message = slack.payload(_event(wip_subject(_breach(), {})))
    header = message["blocks"][0]["text"]["text"]
    body = "\n".join(b["text"]["text"] for b in message["blocks"][1:] if b["type"] == "section")
    advice = message["blocks"][-1]["elements"][0]["text"]
    assert "WIP limit exceeded" in header and "column In Progress" in header
    assert "*5* items in progress; its limit is *3*" in body
    # Oldest first, linked, with ages.
    assert body.index("ACME-1") < body.index("ACME-5")
    assert "<https://acme.atlassian.net/browse/ACME-1|ACME-1 Fix login 1> — 29.0 days" in body
    assert "finish" in advice and "before starting anything new" in advice


def test_slack_limits_hold_for_huge_breaches_and_hostile_titles() -> None:
    breach = _breach(count=400, title="A very long title with <angle> & pipes | " * 20)
    message = slack.payload(_event(wip_subject(breach, {}), "reminder"))
    assert validate(message) == []
    assert len(message["blocks"][0]["text"]["text"]) <= 150
    items = message["blocks"][2]["text"]["text"]
    assert "<angle>" not in items and "&lt;angle&gt;" in items


def test_webhook_body_matches_the_documented_schema() -> None:
    schema = webhook.json_schema()
    for event in _all_events():
        jsonschema.validate(json.loads(webhook.body(event)), schema)


def test_webhook_signature_verifies_with_the_documented_recipe() -> None:
    import hashlib
    import hmac

    event = _event(wip_subject(_breach(), {}))
    raw = webhook.body(event)
    header = webhook.signature(raw, "shared-secret")
    # The recipe from the README, written out by hand as a receiver would.
    expected = "sha256=" + hmac.new(b"shared-secret", raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(header, expected)
    assert not webhook.verify(raw + b" ", header, "shared-secret")
    assert webhook.body(event) == raw, "serialisation is stable, so a retry carries the same signature"


def _aging_text(message: dict[str, Any]) -> str:
    return "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


def test_aging_message_names_item_age_and_threshold() -> None:
    message = slack.payload(_event(_aging()))
    text = _aging_text(message)
    assert "ACME-7 Migrate &lt;billing&gt; &amp; invoices" in text
    assert "*21.0 days*" in text
    assert "12.5 days, 85th percentile of the 40 items finished" in text
