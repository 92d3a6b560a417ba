"""The JSON export is written row by row with the C encoder's scalars; it must stay byte for byte what
`json.dumps(..., indent=1)` gives, and the URL fast path must give what the character loop gives."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from syncer import escape
from syncer.report.writer import _chunks, _indented, _jsonable, _Lazy

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text())
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.lists(SCALARS, max_size=2).map(tuple))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(), VALUES, max_size=6))
def test_rows_render_as_json_dumps_with_indent_1(row: dict[str, object]) -> None:
    assert _indented(row) == json.dumps(row, default=_jsonable, indent=1, ensure_ascii=False)


def test_a_nested_object_goes_to_json_dumps() -> None:
    row = {"a": [{"b": 1}], "c": {"d": [1, 2]}}
    assert _indented(row) == json.dumps(row, indent=1, ensure_ascii=False)


def _http_url_by_loop(url: str) -> str | None:
    """`escape.http_url` as it was: every character through the quoting loop."""
    value = escape._CONTROLS.sub("", escape._ESCAPES.sub("", re.sub("[\t\n\r]", "", url))).strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return "".join(quote(c, safe="") if c in escape._URL_UNSAFE or ord(c) > 0x7E else c for c in value)


@settings(max_examples=400, deadline=None)
@given(st.text(), st.sampled_from(["https://example.test/", "http://h/x?q=", "HTTPS://h", "javascript:", ""]))
def test_http_url_quotes_as_the_character_loop_does(tail: str, head: str) -> None:
    assert escape.http_url(head + tail) == _http_url_by_loop(head + tail)


JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_documents_stream_as_json_dumps_with_indent_1(document: object) -> None:
    assert "".join(_chunks(document)) == json.dumps(document, default=_jsonable, indent=1, ensure_ascii=False)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=3), st.lists(JSON, max_size=3), max_size=3))
def test_lazy_arrays_stream_as_lists(document: dict[str, list[object]]) -> None:
    lazy = {key: _Lazy(iter(items)) for key, items in document.items()}
    assert "".join(_chunks(lazy)) == json.dumps(document, default=_jsonable, indent=1, ensure_ascii=False)


def test_the_report_json_is_the_document_json_dumps_gives(write_config, backlog_path) -> None:
    """The export as the earlier writer built it: every section and row as dicts, one json.dumps(indent=1)."""
    from dataclasses import asdict
    from datetime import UTC, datetime

    from syncer.pipeline import run_sync
    from syncer.report import build_report
    from syncer.report.writer import _exported, render_json
    from syncer.settings import load_settings

    settings = load_settings(write_config(backlog=backlog_path))
    report = build_report(run_sync(settings, dry_run=True), settings.report, datetime.now(UTC))
    sections = []
    for section in report.sections:
        out = asdict(section)
        for key in ("top", "needs_input", "stale", "duplicates"):
            out[key] = [_exported(_with_formula(r)) for r in out[key]]
        out["breaches"] = [
            {**b, "name": escape.clean(b["name"]), "items": [_exported(i) for i in b["items"]]} for b in out["breaches"]
        ]
        sections.append(out)
    document = {
        "generated": report.generated,
        "dry_run": report.dry_run,
        "totals": report.totals,
        "sections": sections,
        "movers": [_exported(asdict(m)) for m in report.movers],
        "issues": [_exported(_with_formula(asdict(r))) for r in report.rows],
    }
    assert report.sections[0].stale or report.sections[0].needs_input, "the section's row lists are exercised"
    expected = json.dumps(document, default=_jsonable, indent=1, ensure_ascii=False) + "\n"
    assert render_json(report) == expected


def _with_formula(row: dict[str, Any]) -> dict[str, Any]:
    """A row as exported: its breakdown's formula text under "formula", where the breakdown was."""
    if "breakdown" not in row:
        return row  # a duplicate pair
    b = row["breakdown"]
    return {
        ("formula" if k == "breakdown" else k): ((b.formula if b else "") if k == "breakdown" else v)
        for k, v in row.items()
    }
