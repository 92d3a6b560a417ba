"""The JSON export is written row by row with the C encoder's scalars; it must stay byte for byte what
`json.dumps(..., indent=1)` gives, and the URL fast path must give what the character loop gives."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from syncer import escape
from syncer.report.writer import _indented, _jsonable

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
