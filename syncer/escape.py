"""Neutralising what users typed into a tracker, per output format (pure functions, no I/O).

Anyone who can edit an issue controls its title, URL, assignee name, labels and inputs, and syncer copies those
into spreadsheets, web pages, Markdown, chat messages, e-mail, terminals and tracker comments. Each format
evaluates something different, so each gets its own function here and every renderer calls these rather than
escaping on its own:

    clean / one_line / clip      every format: NUL, C0/C1 controls, terminal escape sequences and bidirectional
                                 overrides removed; long text clipped (a 100 KB title must not crowd out a message)
    http_url                     the only URLs that ever become links: http and https
    csv_cell                     spreadsheets evaluate cells starting with = + - @ TAB CR (OWASP CSV injection)
    markdown / markdown_link     Markdown renders raw HTML, links and images
    slack / slack_link           Slack mrkdwn: & < > start mentions (<!channel>) and links
    wiki                         Jira Data Center wiki markup: links, macros and [~mentions]

ADF (Jira Cloud comments) and HTML through an autoescaping template need only `clean` and `http_url`.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

TITLE_MAX = 200
"""A title in a list, a table row or a message line."""
NAME_MAX = 100
"""An assignee, status, label or issue key."""
VALUE_MAX = 80
"""An input value quoted back to people."""

# Terminal escape sequences are removed whole, parameters included: dropping only the ESC byte would leave
# "]0;pwned" or "[2K" behind as text. Order matters: string sequences (OSC, DCS, ...) before the short forms.
_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: ESC ] ... BEL or ST (retitles the terminal, hyperlinks)
    r"|\x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, PM, APC, SOS strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: ESC [ params final (erase line, move cursor, colours)
    r"|\x1b[ -/]*[0-~]"  # two-byte and nF escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit string introducers
)
# C0 and C1 controls except newline (tab and CR are mapped first), DEL, and the bidirectional embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make text display in another order than it reads.
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029\x85\x0b\x0c]")

_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")  # full-width forms too
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")

# CommonMark's escapable ASCII punctuation that can start markup: emphasis, code, links, images, headings,
# list items, tables, autolinks and raw HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&=])")
_WIKI_SPECIAL = re.compile(r"([\\*_{}\[\]|^~+\-?!#])")
# Characters a URL may not carry into a Markdown link destination, an HTML attribute or a Slack <url|label>.
_URL_UNSAFE = " \"'<>\\^`{|}()"
_URL_QUOTED = re.compile("[" + re.escape(_URL_UNSAFE) + "\x7f-\U0010ffff]")
"""A character `http_url` percent-encodes: one of `_URL_UNSAFE`, or any above 0x7E."""
_URL_BREAKS = re.compile("[\t\n\r]")


def clean(text: object) -> str:
    """Text safe to show anywhere: terminal escape sequences, NUL and other control characters (newline kept,
    tab as a space) and bidirectional override characters removed."""
    value = text if isinstance(text, str) else str(text)
    value = _NEWLINES.sub("\n", value).replace("\t", " ")
    value = _ESCAPES.sub("", value)
    return _CONTROLS.sub("", value)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters; a clipped text ends with an ellipsis."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def one_line(text: object, limit: int | None = None) -> str:
    """`clean`, with line breaks as spaces (a title in a list, a table cell, a mail header), optionally clipped."""
    value = " ".join(clean(text).split("\n")).strip()
    return clip(value, limit) if limit is not None else value


def http_url(url: object) -> str | None:
    """The URL when it is an absolute http(s) URL with a host, made safe to embed in any markup; else None.

    `javascript:`, `data:`, `vbscript:`, relative and scheme-relative URLs are refused, whatever their case or
    the control characters and spaces hidden in them (browsers ignore those when reading the scheme).
    """
    if not isinstance(url, str):
        return None
    value = _URL_BREAKS.sub("", url)  # the URL standard drops these anywhere: "java\nscript:" is javascript:
    value = _CONTROLS.sub("", _ESCAPES.sub("", value)).strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # an invalid IPv6 literal, for one
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if not _URL_QUOTED.search(value):
        return value  # nothing to quote (the usual URL): the same text the loop below gives, without the loop
    return "".join(quote(c, safe="") if c in _URL_UNSAFE or ord(c) > 0x7E else c for c in value)


def csv_cell(value: object) -> object:
    """A value as a spreadsheet should read it: numbers stay numbers; text that a spreadsheet would evaluate as
    a formula (first character = + - @ TAB CR) gets a leading apostrophe, which shows it as text (OWASP)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = clean(value)
    # Leading blanks are looked through: an import that trims spaces would otherwise expose the formula.
    if text.lstrip().startswith(_CSV_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def markdown(text: object, limit: int | None = None) -> str:
    """Inline Markdown text that renders as exactly these characters: no HTML, link, image, emphasis, heading or
    list; safe in a table cell (pipes escaped, one line)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text, limit))


def markdown_link(label: object, url: object, limit: int | None = None) -> str:
    """`[label](url)` for an http(s) URL; the escaped label alone for anything else."""
    text = markdown(label, limit)
    safe = http_url(url)
    return f"[{text}]({safe})" if safe and text else text


def slack(text: object, limit: int | None = None) -> str:
    """Slack mrkdwn text: `&`, `<` and `>` as entities, so `<!channel>` or `<@U123>` notify nobody."""
    value = clean(text) if limit is None else clip(clean(text), limit)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: object, label: object, limit: int | None = None) -> str:
    """`<url|label>` for an http(s) URL; the escaped label alone for anything else."""
    # Slack has no escape for "|" inside a label (it would end the label early), so it becomes a look-alike.
    text = slack(one_line(label, limit)).replace("|", "¦")
    safe = http_url(url)
    return f"<{safe}|{text}>" if safe else text


def wiki(text: object) -> str:
    """Jira wiki markup (Data Center) that renders as exactly these characters: no link, macro or mention."""
    return _WIKI_SPECIAL.sub(r"\\\1", clean(text))
