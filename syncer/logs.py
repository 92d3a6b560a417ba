"""Log output: readable lines on a terminal, one JSON object per line everywhere else (cron, Kubernetes, CI).

Every record carries a dotted event name (`jira.search.page`, `writeback.applied`) as its message and its
numbers as `extra` fields; JSON lines add the timestamp, level, run id and tracker from context.

Secrets never reach a line by construction: every formatter output passes through `redact`, which removes each
secret value syncer has resolved (tokens, webhook URLs, passwords, database URLs; registered by the settings
as they are read) and anything shaped like a credential (a URL's `user:password@`, `Bearer ...`,
`Authorization: ...`). Registering happens where the secret is read, so a new log call cannot forget it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import threading
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["auto", "text", "json"]
LEVELS = ("debug", "info", "warning", "error")
MASK = "***"

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_run_id: int | None = None
_tracker: ContextVar[str | None] = ContextVar("syncer_log_tracker", default=None)
_json_mode = False

# A URL's user:password@ part, a bearer/basic credential, an Authorization header, a token-ish query parameter.
_PATTERNS = (
    (re.compile(r"(?P<keep>[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@'\"]*:)[^@/\s'\"]+(?=@)"), r"\g<keep>" + MASK),
    (re.compile(r"(?i)(?P<keep>\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\g<keep>" + MASK),
    (re.compile(r"(?i)(?P<keep>authorization['\"]?\s*[:=]\s*['\"]?)[^'\",}\s]+"), r"\g<keep>" + MASK),
    (
        re.compile(r"(?i)(?P<keep>[?&](?:token|api_key|apikey|access_token|password|secret)=)[^&\s'\"]+"),
        r"\g<keep>" + MASK,
    ),
)

_EVENT = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+")
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def register_secret(value: str | None) -> None:
    """Remember a secret value so no log line ever shows it (very short values would mask ordinary words)."""
    if value is None:
        return
    text = value.strip()
    if len(text) < 6:
        return
    with _secrets_lock:
        _secrets.add(text)


def redact(text: str) -> str:
    """`text` with every registered secret and credential-shaped substring replaced by ***."""
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {str(k): _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


def set_run_id(run_id: int | None) -> None:
    """The run id every later line carries (process-wide: a process runs one job at a time)."""
    global _run_id
    _run_id = run_id


@contextlib.contextmanager
def tracker_context(name: str) -> Iterator[None]:
    """Lines logged inside carry `tracker` (threads started inside do not inherit it: pass it as extra)."""
    token = _tracker.set(name)
    try:
        yield
    finally:
        _tracker.reset(token)


def current_tracker() -> str | None:
    return _tracker.get()


def json_mode() -> bool:
    """True when stderr carries JSON lines: anything else written there would break a line-per-object reader."""
    return _json_mode


def _event(record: logging.LogRecord) -> tuple[str, str]:
    """(event, message): the first word of the template when it is a dotted name, else the logger's name."""
    template = str(record.msg)
    first = template.split(" ", 1)[0]
    message = record.getMessage()
    if _EVENT.fullmatch(first):
        return first, message[len(first) :].strip()
    return record.name, message


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp, level, event, run_id, tracker, logger, message, extras, error."""

    def format(self, record: logging.LogRecord) -> str:
        event, message = _event(record)
        data: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": event,
            "run_id": _run_id,
            "tracker": _tracker.get(),
            "logger": record.name,
        }
        if message:
            data["message"] = message
        for key, value in _extras(record).items():
            data[key if key not in data or data[key] is None else f"extra_{key}"] = value
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(_redact_value(data), ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`LEVEL logger message key=value...`: what a person reads on a terminal."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = _extras(record)
        tracker = _tracker.get()
        if tracker and "tracker" not in extras and "tracker=" not in record.getMessage():
            extras = {"tracker": tracker, **extras}
        if extras:
            head, sep, tail = line.partition("\n")
            line = head + " " + " ".join(f"{k}={v}" for k, v in extras.items()) + sep + tail
        return redact(line)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of the record (a test runner swaps it between commands)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure(
    fmt: LogFormat = "auto", level: str | None = None, *, verbose: int = 0, stream: TextIO | None = None
) -> str:
    """Install the handler on the root logger; returns the format chosen ("text" or "json").

    auto: text on a terminal, JSON otherwise. Level: `level` if given, else -v/-vv, else warning on a terminal
    (the summary says what matters) and info in JSON (the log is the only record a cron job leaves).
    """
    global _json_mode
    out = stream or sys.stderr
    chosen = fmt if fmt != "auto" else ("text" if out.isatty() else "json")
    _json_mode = chosen == "json"
    if level is not None:
        numeric = getattr(logging, level.upper())
    elif verbose:
        numeric = logging.INFO if verbose == 1 else logging.DEBUG
    else:
        numeric = logging.INFO if _json_mode else logging.WARNING
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(JsonFormatter() if _json_mode else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_syncer", False):
            root.removeHandler(old)
    handler._syncer = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(numeric)
    # Libraries' chatter (urllib3 connection pool lines, httpx request lines) only at debug.
    for noisy in ("urllib3", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING) if numeric > logging.DEBUG else numeric)
    return chosen


def reset() -> None:
    """Back to plain lines and no handler of ours (tests that run several commands in one process)."""
    global _json_mode, _run_id
    _json_mode, _run_id = False, None
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_syncer", False):
            root.removeHandler(old)


def user_message(text: str, *, event: str = "cli.message", level: int = logging.INFO, **fields: Any) -> None:
    """A line meant for the person running syncer: plain on a terminal, a JSON log record in JSON mode."""
    if _json_mode:
        # The text goes after the event name (not as %-args): it may contain % signs.
        logging.getLogger("syncer").log(level, f"{event} {text}", extra=fields)
    else:
        sys.stderr.write(redact(text) + "\n")
        sys.stderr.flush()
