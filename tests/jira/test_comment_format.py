"""Comment bodies: ADF (v3) and wiki markup (v2) from plain lines, with a marker the retry path can find."""

from __future__ import annotations

from connectors.jira.adf import find_marker, plain_text, to_adf, to_wiki
from connectors.jira.sandbox.validation import adf_problems

TEXT = "Priority score (RICE): 650 — rank 1 of 9\nRICE = reach 975 × impact 2 ÷ effort 3\n- effort: missing\n- reach: not a number\n\nWritten by syncer."


def test_adf_is_valid_and_keeps_every_line_and_the_marker() -> None:
    doc = to_adf(TEXT, "abcdef0123456789")
    assert adf_problems(doc) == []
    assert [n["type"] for n in doc["content"]] == [
        "paragraph",
        "paragraph",
        "bulletList",
        "paragraph",
        "paragraph",
        "paragraph",
    ]
    assert "effort: missing" in plain_text(doc)
    assert find_marker(doc) == "abcdef0123456789"


def test_wiki_escapes_markup_so_text_shows_as_written() -> None:
    body = to_wiki("score *high* [x] {y} a-b\n- item_1", "abcdef0123456789")
    assert r"score \*high\* \[x\] \{y\} a\-b" in body
    assert "\n* item\\_1\n" in body
    assert find_marker(body) == "abcdef0123456789"


def test_bodies_without_the_marker_are_not_ours() -> None:
    assert find_marker({"type": "doc", "version": 1, "content": []}) is None
    assert find_marker("syncer:comment sha=XYZ") is None


def test_the_sandbox_rejects_what_jira_cloud_rejects() -> None:
    assert adf_problems("plain string")
    assert adf_problems({"type": "doc", "version": 2, "content": []})
    assert adf_problems(
        {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": ""}]}]}
    )
    assert adf_problems({"type": "doc", "version": 1, "content": [{"type": "text", "text": "not in a paragraph"}]})
    bad_mark = {"type": "text", "text": "x", "marks": [{"type": "textColor", "attrs": {"color": "grey"}}]}
    assert adf_problems({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [bad_mark]}]})
