"""Reading an exported backlog for `syncer score`: Jira's or Linear's CSV export, or a plain CSV or JSON file.

The flavour comes from the header row:

- **jira** (`Issue key` and `Summary`, Jira's "Export CSV (all fields)"): custom fields are headed
  `Custom field (NAME)` and can be asked for by NAME; the columns Jira repeats once per value (`Labels`, `Sprint`,
  `Watchers`, `Comment`, `Attachment`, ...) are merged into one; dates such as `05/Nov/26 2:37 PM` are read.
- **linear** (`ID` and `Title`, Linear's CSV export): `Labels` is one comma-separated cell, a label in a label
  group reads `Group/Value`; `Description` holds the Markdown (with any ```` ```syncer ```` block).
- **plain**: a `key` column (or JSON field), optionally `summary` or `title`. JSON is a list of objects or an
  object with an `issues` list; an issue's `fields` object (the local tracker's file) adds its fields as columns.

All of them: UTF-8 with or without a BOM, LF or CRLF, quoted cells spanning lines. Columns are found by name
ignoring case, and spaces, hyphens and underscores alike ("Story Points" = "story_points"). Every error is a
`BacklogFileError` naming the file, and the line (and column) where that helps.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from syncer.models import RawValue

Flavour = Literal["jira", "linear", "plain"]
FLAVOUR_NAMES: Mapping[Flavour, str] = {
    "jira": "Jira CSV export",
    "linear": "Linear CSV export",
    "plain": "plain file",
}
KEY = "key"
SUMMARY = "summary"
_SEPARATORS = re.compile(r"[\s\-_]+")
_CUSTOM = re.compile(r"^custom field \((.+)\)$", re.IGNORECASE)
_KEY_COLUMNS: Mapping[Flavour, tuple[str, ...]] = {"jira": ("issue_key",), "linear": ("id",), "plain": (KEY,)}
_SUMMARY_COLUMNS: Mapping[Flavour, tuple[str, ...]] = {
    "jira": (SUMMARY,),
    "linear": ("title",),
    "plain": (SUMMARY, "title"),
}
_LABEL_COLUMNS = ("labels", "label")
DATE_COLUMNS = frozenset(
    {
        "created",
        "updated",
        "resolved",
        "due_date",
        "last_viewed",
        "status_category_changed",
        "started",
        "completed",
        "canceled",
        "archived",
        "triaged",
        "cycle_start",
        "cycle_end",
    }
)
"""Columns Jira or Linear export as dates (matched as `column_name`s)."""
_DATE_FORMATS = (
    # Jira's export writes dates in the exporting user's format; these are Cloud's and Data Center's defaults.
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
)


def column_name(header: str) -> str:
    """The form columns are matched in: "Business Value", "business-value", "BUSINESS_VALUE" -> business_value."""
    return _SEPARATORS.sub("_", header.strip()).casefold()


def custom_field_name(header: str) -> str | None:
    """`Custom field (Story Points)` -> `Story Points` (Jira's header for a custom field); else None."""
    match = _CUSTOM.match(header.strip())
    return match.group(1).strip() if match else None


def parse_export_time(text: str) -> datetime | None:
    """A date cell as Jira or Linear export it (`05/Nov/26 2:37 PM`, ISO 8601); None when it is none of these."""
    value = text.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern)  # noqa: DTZ007 - an export's dates carry no zone
        except ValueError:
            continue
    return None


class BacklogFileError(Exception):
    """The backlog file cannot be read; `str()` names the file and, where known, the line."""

    def __init__(self, path: Path, message: str, *, line: int | None = None, column: int | None = None) -> None:
        where = str(path) + (f":{line}" if line is not None else "") + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class BacklogRow:
    """One issue from the file: key, summary, every column by header (as the file spells it) and its labels."""

    key: str
    summary: str
    values: Mapping[str, RawValue]
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Backlog:
    """A read export: its flavour, columns in file order (a repeated column once) and rows in file order."""

    path: Path
    flavour: Flavour
    columns: tuple[str, ...]
    rows: list[BacklogRow]
    key_column: str
    summary_column: str | None = None
    repeated: Mapping[str, int] = field(default_factory=dict)
    """Columns the file repeats, with how often (merged into one value per row)."""
    dates: tuple[str, ...] = ()
    """Columns read as dates."""

    def find(self, name: str) -> str | None:
        """The header of the column called `name` (any case or spacing; a Jira custom field by its own name)."""
        wanted = column_name(name)
        for header in self.columns:
            if column_name(header) == wanted:
                return header
        for header in self.columns:
            custom = custom_field_name(header)
            if custom is not None and column_name(custom) == wanted:
                return header
        return None

    def label_groups(self) -> list[str]:
        """Label groups present (`Group/Value` labels), in first-seen order, spelled as first seen."""
        seen: dict[str, str] = {}
        for row in self.rows:
            for label in row.labels:
                group, sep, _ = label.partition("/")
                if sep and group.strip():
                    seen.setdefault(group.strip().casefold(), group.strip())
        return list(seen.values())


def read_backlog(path: Path) -> Backlog:
    """Read a CSV or JSON backlog; the format comes from the suffix, else from the first character.

    Args:
        path: The file.

    Returns:
        The backlog, rows in file order.

    Raises:
        BacklogFileError: The file is missing or unreadable, is not UTF-8, is malformed, has no key column, an
            empty key, or a key that appears twice.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BacklogFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BacklogFileError(path, "not UTF-8 text", line=line) from exc
    suffix = path.suffix.lower()
    if suffix == ".json" or (suffix != ".csv" and text.lstrip()[:1] in ("[", "{")):
        return _json_backlog(path, text)
    return _csv_backlog(path, text)


def first_duplicate(keyed: Iterable[tuple[str, str]]) -> tuple[str, str, str] | None:
    """The first repeated key as (key, where it first was, where it is again); `keyed` is (key, where) pairs.

    Results are keyed by issue, so a repeat would hide one of them, or (written back) make every run edit one
    issue with the other's values: a file with one is refused, by `syncer score` and the local tracker alike.
    """
    first: dict[str, str] = {}
    for key, where in keyed:
        if key in first:
            return key, first[key], where
        first[key] = where
    return None


def _unique(path: Path, rows: Iterable[tuple[int, BacklogRow]], where: str) -> list[BacklogRow]:
    """The rows, refusing a repeated key."""
    out = list(rows)
    repeat = first_duplicate((row.key, f"{where}{position}") for position, row in out)
    if repeat is not None:
        key, earlier, later = repeat
        raise BacklogFileError(path, f"duplicate key {key!r} at {later} (first at {earlier})")
    return [row for _, row in out]


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def issue_lines(text: str) -> list[int] | None:
    """The line each item of the issues list starts on, for a JSON text already known to parse.

    The list is the document itself or its top-level "issues" member (the last one, as `json.loads` keeps).
    None when the text does not have that shape.
    """
    decoder = json.JSONDecoder()
    newlines = _NewlineCounter(text)

    def skip(i: int) -> int:
        match = _WHITESPACE.match(text, i)
        return match.end() if match else i

    def items(i: int) -> tuple[list[int], int]:
        lines: list[int] = []
        i = skip(i + 1)
        while text[i] != "]":
            lines.append(newlines.line_at(i))
            _, i = decoder.raw_decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
        return lines, i + 1

    try:
        i = skip(1 if text.startswith("\ufeff") else 0)
        if text[i] == "[":
            return items(i)[0]
        if text[i] != "{":
            return None
        found: list[int] | None = None
        i = skip(i + 1)
        while text[i] != "}":
            name, i = decoder.raw_decode(text, i)
            i = skip(skip(i) + 1)  # the colon
            if name == "issues" and text[i] == "[":
                found, i = items(i)
            else:
                _, i = decoder.raw_decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
        return found
    except (ValueError, IndexError):
        return None


class _NewlineCounter:
    """Line numbers for increasing offsets in one pass (counting from the start each time is quadratic)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._offset = 0
        self._line = 1

    def line_at(self, offset: int) -> int:
        self._line += self._text.count("\n", self._offset, offset)
        self._offset = offset
        return self._line


def _flavour(names: Sequence[str]) -> Flavour:
    present = set(names)
    if "issue_key" in present and SUMMARY in present:
        return "jira"
    if KEY not in present and "id" in present and "title" in present:
        return "linear"
    return "plain"


def _first(names: Sequence[str], wanted: Sequence[str]) -> int | None:
    for name in wanted:
        if name in names:
            return names.index(name)
    return None


def _merge(cells: Sequence[str]) -> RawValue:
    """Cells of one repeated column as one value: the distinct non-empty ones, joined (two different values for
    an input then read as unreadable, instead of one being picked silently)."""
    distinct = list(dict.fromkeys(c.strip() for c in cells if c.strip()))
    return ", ".join(distinct)


def _split_labels(cells: Iterable[str]) -> tuple[str, ...]:
    labels = [part.strip() for cell in cells for part in cell.split(",")]
    return tuple(dict.fromkeys(label for label in labels if label))


def _csv_backlog(path: Path, text: str) -> Backlog:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise BacklogFileError(path, f"empty file; expected a header row with a {KEY!r} column")
        headers = [h.strip() for h in header]
        names = [column_name(h) for h in headers]
        flavour = _flavour(names)
        key_at = _first(names, _KEY_COLUMNS[flavour])
        if key_at is None:
            shown = ", ".join(h for h in headers if h) or "none"
            raise BacklogFileError(
                path,
                f"no {KEY!r} column (columns: {shown}); a Jira export has 'Issue key', a Linear export 'ID'",
                line=1,
            )
        summary_at = _first(names, _SUMMARY_COLUMNS[flavour])
        # Each distinct column once, at its first position; a repeated one gathers every position.
        positions: dict[str, list[int]] = {}
        display: dict[str, str] = {}
        for index, name in enumerate(names):
            if not name:
                continue
            positions.setdefault(name, []).append(index)
            display.setdefault(name, headers[index])
        dates = {name for name in positions if name in DATE_COLUMNS}
        label_names = [name for name in _LABEL_COLUMNS if name in positions]
        rows: list[tuple[int, BacklogRow]] = []
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(headers):
                raise BacklogFileError(path, f"{len(cells)} values but {len(headers)} columns", line=line)
            padded = cells + [""] * (len(headers) - len(cells))
            values: dict[str, RawValue] = {}
            for name, where in positions.items():
                value = padded[where[0]] if len(where) == 1 else _merge([padded[i] for i in where])
                if name in dates and isinstance(value, str):
                    parsed = parse_export_time(value)
                    value = parsed.isoformat() if parsed is not None else value
                values[display[name]] = value
            key = padded[key_at].strip()
            if not key:
                raise BacklogFileError(path, f"row has no {headers[key_at]!r}", line=line)
            labels = _split_labels(padded[i] for name in label_names for i in positions[name])
            summary = padded[summary_at].strip() if summary_at is not None else ""
            rows.append((line, BacklogRow(key, summary, values, labels)))
    except csv.Error as exc:
        raise BacklogFileError(path, f"not valid CSV: {exc}", line=reader.line_num) from exc
    return Backlog(
        path=path,
        flavour=flavour,
        columns=tuple(display.values()),
        rows=_unique(path, rows, "line "),
        key_column=headers[key_at],
        summary_column=headers[summary_at] if summary_at is not None else None,
        repeated={display[n]: len(w) for n, w in positions.items() if len(w) > 1},
        dates=tuple(display[n] for n in positions if n in dates),
    )


def _json_backlog(path: Path, text: str) -> Backlog:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BacklogFileError(path, f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from exc
    issues = document.get("issues") if isinstance(document, dict) else document
    if not isinstance(issues, list):
        raise BacklogFileError(path, 'expected a list of issues, or an object with an "issues" list')
    columns: dict[str, str] = {}
    rows = _unique(path, _json_rows(path, issues, columns), "issue #")
    return Backlog(
        path=path,
        flavour="plain",
        columns=tuple(columns.values()),
        rows=rows,
        key_column=KEY,
        summary_column=columns.get(SUMMARY) or columns.get("title"),
    )


def _json_rows(path: Path, issues: list[Any], columns: dict[str, str]) -> Iterator[tuple[int, BacklogRow]]:
    for index, item in enumerate(issues, start=1):
        if not isinstance(item, dict):
            raise BacklogFileError(path, f"issue #{index} is not an object")
        flat = {str(k): v for k, v in item.items() if k != "fields"}
        fields = item.get("fields")
        if isinstance(fields, dict):  # the local tracker's record: inputs live under "fields"
            flat.update({str(k): v for k, v in fields.items() if str(k) not in flat})
        values: dict[str, RawValue] = {}
        by_name: dict[str, Any] = {}
        for name, value in flat.items():
            columns.setdefault(column_name(name), name)
            values[columns[column_name(name)]] = _scalar(value)
            by_name.setdefault(column_name(name), value)
        raw_key = by_name.get(KEY)
        key = str(raw_key).strip() if isinstance(raw_key, str | int) and not isinstance(raw_key, bool) else ""
        if not key:
            raise BacklogFileError(path, f"issue #{index} has no {KEY!r}")
        summary = by_name.get(SUMMARY, by_name.get("title"))
        raw_labels = by_name.get("labels")
        labels: tuple[str, ...] = ()
        if isinstance(raw_labels, list):
            labels = tuple(str(x) for x in raw_labels if isinstance(x, str))
        elif isinstance(raw_labels, str):
            labels = _split_labels([raw_labels])
        yield index, BacklogRow(key, summary if isinstance(summary, str) else "", values, labels)


def _scalar(value: Any) -> RawValue:
    # Nested lists or objects are no input value; keep them as their JSON text so the engine can say so.
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False)
