"""Reading an exported backlog (CSV or JSON) for `syncer score`.

CSV: UTF-8 with or without a BOM, LF or CRLF line ends, a header row with a `key` column; other columns are
passed on as inputs by name (`summary`, `reach`, ...), ignoring case; spaces or hyphens read as `_`.
JSON: a list of objects, or an object whose `issues` is one; each object has a `key`.
Every error is a `BacklogFileError` naming the file, and the line (and column) where that helps.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncer.models import RawValue

KEY = "key"
SUMMARY = "summary"
_SEPARATORS = re.compile(r"[\s\-]+")


def column_name(header: str) -> str:
    """Spreadsheet headers as input names: "Business Value" and "business-value" both read as business_value."""
    return _SEPARATORS.sub("_", header.strip()).casefold()


class BacklogFileError(Exception):
    """The backlog file cannot be read; `str()` names the file and, where known, the line."""

    def __init__(self, path: Path, message: str, *, line: int | None = None, column: int | None = None) -> None:
        where = str(path) + (f":{line}" if line is not None else "") + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class BacklogRow:
    """One issue from the file: its key, summary and every column or field by name (inputs included)."""

    key: str
    summary: str
    inputs: Mapping[str, RawValue]


def read_backlog(path: Path) -> list[BacklogRow]:
    """Read a CSV or JSON backlog; the format comes from the suffix, else from the first character.

    Args:
        path: The file.

    Returns:
        The rows in file order.

    Raises:
        BacklogFileError: The file is missing or unreadable, is not UTF-8, is malformed, has no `key` column,
            an empty key, or a key that appears twice.
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
        return _unique(path, _json_rows(path, text), "issue #")
    return _unique(path, _csv_rows(path, text), "line ")


def _unique(path: Path, rows: Iterator[tuple[int, BacklogRow]], where: str) -> list[BacklogRow]:
    """The rows, refusing a repeated key: results are keyed by issue, so a repeat would hide one of them."""
    first: dict[str, int] = {}
    out: list[BacklogRow] = []
    for position, row in rows:
        if row.key in first:
            message = f"duplicate key {row.key!r} at {where}{position} (first at {where}{first[row.key]})"
            raise BacklogFileError(path, message)
        first[row.key] = position
        out.append(row)
    return out


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, BacklogRow]]:
    """Rows with their line numbers (the line a row starts on)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise BacklogFileError(path, f"empty file; expected a header row with a {KEY!r} column")
        columns = [column_name(name) for name in header]
        if KEY not in columns:
            raise BacklogFileError(path, f"no {KEY!r} column (columns: {', '.join(columns) or 'none'})", line=1)
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            raise BacklogFileError(path, f"repeated column(s): {', '.join(repeated)}", line=1)
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                raise BacklogFileError(path, f"{len(cells)} values but {len(columns)} columns", line=line)
            values: dict[str, RawValue] = dict(zip(columns, cells, strict=False))
            yield line, _row(path, values, line)
    except csv.Error as exc:
        raise BacklogFileError(path, f"not valid CSV: {exc}", line=reader.line_num) from exc


def _json_rows(path: Path, text: str) -> Iterator[tuple[int, BacklogRow]]:
    """Rows with their 1-based position in the list."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BacklogFileError(path, f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from exc
    issues = document.get("issues") if isinstance(document, dict) else document
    if not isinstance(issues, list):
        raise BacklogFileError(path, 'expected a list of issues, or an object with an "issues" list')
    for index, item in enumerate(issues, start=1):
        if not isinstance(item, dict):
            raise BacklogFileError(path, f"issue #{index} is not an object")
        yield index, _row(path, {column_name(str(k)): _scalar(v) for k, v in item.items()}, None, index)


def _scalar(value: Any) -> RawValue:
    # Nested lists or objects are no input value; keep them as their JSON text so the engine can say so.
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False)


def _row(path: Path, values: dict[str, RawValue], line: int | None, index: int | None = None) -> BacklogRow:
    raw_key = values.get(KEY)
    key = str(raw_key).strip() if isinstance(raw_key, str | int) and not isinstance(raw_key, bool) else ""
    if not key:
        what = f"issue #{index} has" if index is not None else "row has"
        raise BacklogFileError(path, f"{what} no {KEY!r}", line=line)
    summary = values.get(SUMMARY)
    return BacklogRow(key, summary if isinstance(summary, str) else "", values)
