"""Rendering the grooming report to files: Markdown and HTML (jinja2 templates), CSV and JSON.

Titles, keys, names, inputs and URLs come from the trackers, so from anyone who can edit an issue: every
format escapes them with `syncer.escape` (Markdown escaping and http(s)-only links, HTML autoescaping with
control characters stripped from every value, spreadsheet formulas neutralised in the CSV).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, fields, is_dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader
from markupsafe import Markup

from syncer import escape
from syncer.report.agenda import DUPLICATE_SIMILARITY, build_agenda
from syncer.report.charts import bar_chart
from syncer.report.content import GroomingReport, IssueRow
from syncer.report.flowview import START_OF_WORK
from syncer.report.scatter import scatter_parts

CSV_COLUMNS = (
    "tracker", "key", "title", "status", "assignee", "score", "rank", "bucket", "problems", "change", "url",
)  # fmt: skip

FILES = {"md": "grooming-report.md", "html": "grooming-report.html", "csv": "issues.csv", "json": "report.json"}
EXPORT_TITLE_MAX = 1000
"""CSV and JSON keep titles whole up to here (a spreadsheet cell holds at most 32,767 characters)."""


def _md(text: object, limit: int | None = None) -> str:
    """Markdown text that renders as typed: no HTML, link or image, and a pipe or newline cannot break a table."""
    return escape.markdown("" if text is None else text, limit)


def _md_link(label: object, url: object) -> str:
    return escape.markdown_link(label, url, escape.NAME_MAX)


def _text(value: object, limit: int | None = None) -> object:
    """Every value printed into the HTML report: clean text (autoescape then makes it inert markup)."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value  # the SVG charts (already escaped), numbers, None
    return escape.one_line(value, limit) if limit else escape.clean(value)


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


BYTECODE_CACHES = {
    autoescape: FileSystemBytecodeCache(pattern=f"__syncer_report_{'html' if autoescape else 'md'}_%s.cache")
    for autoescape in (False, True)
}
"""Compiled templates, kept between runs in jinja2's per-user temp folder: compiling both templates is a visible
share of a small run (`syncer demo`). Entries are keyed by template and source checksum, and jinja2 ignores
entries of another jinja2 or Python version; the file name says which environment's options compiled them."""


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("syncer.report", "templates"),
        bytecode_cache=BYTECODE_CACHES[autoescape],
        autoescape=autoescape,  # noqa: S701  (Markdown is not HTML: its template escapes with the md filter)
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_text if autoescape else None,
    )
    env.filters["md"] = _md
    env.filters["short"] = lambda value: escape.one_line(value, escape.TITLE_MAX)
    env.filters["http_url"] = escape.http_url
    env.globals["md_link"] = _md_link
    env.filters["num"] = _num
    env.globals["date_after"] = lambda start, days: (start + timedelta(days=days)).strftime("%a %d %b %Y")
    env.globals["bar_chart"] = bar_chart
    env.globals["start_of_work"] = START_OF_WORK
    env.globals["wip_items"] = lambda breaches: [(f"{b.scope} {b.name}", b.count) for b in breaches]
    return env


def _context(report: GroomingReport) -> dict[str, Any]:
    return {"r": report, "agenda": build_agenda(report), "duplicate_similarity": DUPLICATE_SIMILARITY}


def _stream_markdown(report: GroomingReport, out: TextIO) -> None:
    out.writelines(_environment(False).get_template("report.md.j2").generate(_context(report)))


def _stream_html(report: GroomingReport, out: TextIO) -> None:
    context = _context(report)
    # Already escaped SVG: the template marks it safe, as it does the bar charts. Markdown has no chart.
    context["scatter"] = scatter_parts(
        context["agenda"].points, value_label="value (score numerator)", effort_label="effort (denominator)"
    )
    out.writelines(_environment(True).get_template("report.html.j2").generate(context))


_ROW_FIELDS = tuple("formula" if f.name == "breakdown" else f.name for f in fields(IssueRow))
"""The exported row: its formula's text in place of the breakdown it comes from."""


def _row_dict(row: IssueRow) -> dict[str, Any]:
    """`asdict(row)` for a flat row (its tuples hold strings), without asdict's deep copy: at 50,000 issues that
    copy was a third of the whole report's CPU."""
    return {name: getattr(row, name) for name in _ROW_FIELDS}


def _stream_csv(report: GroomingReport, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        data = _row_dict(row)
        data["problems"] = "; ".join(row.problems)
        data["title"] = escape.clip(escape.clean(row.title), EXPORT_TITLE_MAX)
        data["url"] = escape.http_url(row.url) or ""
        writer.writerow([escape.csv_cell(data[c]) for c in CSV_COLUMNS])


def _exported(row: dict[str, Any]) -> dict[str, Any]:
    """An issue row for the JSON export: text cleaned of control and bidi characters (keys too: no real Jira or
    Linear key has one), URLs http(s) or ""."""
    out = dict(row)
    for key in (
        "key", "a_key", "b_key", "title", "status", "assignee", "change", "a_title", "b_title", "cause", "bucket_from",
        "bucket_to",
    ):  # fmt: skip
        if isinstance(out.get(key), str):
            out[key] = escape.clip(escape.clean(out[key]), EXPORT_TITLE_MAX)
    for key in ("url", "a_url", "b_url"):
        if isinstance(out.get(key), str):
            out[key] = escape.http_url(out[key]) or ""
    if isinstance(out.get("ref"), dict):
        out["ref"] = {**out["ref"], "key": escape.clean(out["ref"].get("key", ""))}
    if isinstance(out.get("problems"), list | tuple):
        out["problems"] = [escape.clean(p) for p in out["problems"]]
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_ROW_LISTS = ("top", "needs_input", "stale", "duplicates")


def _exported_section(section: Any) -> dict[str, Any]:
    """A section for the JSON export. Its row lists stay lazy (exported one row at a time while written): "stale"
    alone can hold every open issue, and the whole section as dicts, then as one string, was the report's largest
    allocation (about 3 KB an issue)."""
    out: dict[str, Any] = {}
    for f in fields(section):
        value = getattr(section, f.name)
        if f.name in _ROW_LISTS:
            out[f.name] = _Lazy(_exported(_row_dict(r) if isinstance(r, IssueRow) else asdict(r)) for r in value)
        elif f.name == "breaches":
            out[f.name] = [
                {**b, "name": escape.clean(b["name"]), "items": [_exported(i) for i in b.get("items", ())]}
                for b in (asdict(x) for x in value)
            ]
        else:
            out[f.name] = asdict(value) if is_dataclass(value) and not isinstance(value, type) else value
    return out


class _Lazy:
    """A JSON array whose items are made while it is written (see `_chunks`)."""

    def __init__(self, items: Iterator[Any]) -> None:
        self.items = items


def _chunks(value: Any, level: int = 0) -> Iterator[str]:
    """`json.dumps(value, indent=1, ensure_ascii=False)` in pieces, arrays given as `_Lazy` made item by item.
    Flat objects (an issue row) come whole from `_indented`, built on the C encoder's scalars."""
    pad = "\n" + " " * (level + 1)
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        if not any(isinstance(v, dict | _Lazy) for v in value.values()):
            text = _indented(value)
            yield text.replace("\n", "\n" + " " * level) if level else text
            return
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + pad + _scalar(str(key)) + ": "
            yield from _chunks(item, level + 1)
        yield "\n" + " " * level + "}"
    elif isinstance(value, list | tuple | _Lazy):
        empty = True
        for item in value.items if isinstance(value, _Lazy) else value:
            yield ("[" if empty else ",") + pad
            empty = False
            yield from _chunks(item, level + 1)
        yield "[]" if empty else "\n" + " " * level + "]"
    else:
        yield _scalar(value)


def _stream_json(report: GroomingReport, out: TextIO) -> None:
    """The same document `json.dumps(..., indent=1)` gives, written piece by piece: at 50,000 issues the whole
    document as Python objects and then as one string cost hundreds of MB at the report's peak."""
    document = {
        "generated": report.generated,
        "dry_run": report.dry_run,
        "totals": report.totals,
        "sections": [_exported_section(s) for s in report.sections],
        "movers": [_exported(asdict(m)) for m in report.movers],
        "issues": _Lazy(_exported(_row_dict(row)) for row in report.rows),
    }
    out.writelines(_chunks(document))
    out.write("\n")


def _scalar(value: Any) -> str:
    return json.dumps(value, default=_jsonable, ensure_ascii=False)


def _indented(row: dict[str, Any]) -> str:
    """`json.dumps(row, indent=1, ensure_ascii=False)` for a row of scalars and lists of scalars, built from the C
    encoder's scalars: any `indent` makes json use its pure-Python encoder, which at 50,000 rows cost seconds.
    Anything else (a nested object) goes to json.dumps itself."""
    lines: list[str] = []
    for key, value in row.items():
        if isinstance(value, list | tuple):
            if any(isinstance(v, dict | list | tuple) for v in value):
                return json.dumps(row, default=_jsonable, indent=1, ensure_ascii=False)
            text = "[\n" + ",\n".join("  " + _scalar(v) for v in value) + "\n ]" if value else "[]"
        elif isinstance(value, dict):
            return json.dumps(row, default=_jsonable, indent=1, ensure_ascii=False)
        else:
            text = _scalar(value)
        lines.append(f" {_scalar(str(key))}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"


def _rendered(stream: Callable[[GroomingReport, TextIO], None]) -> Callable[[GroomingReport], str]:
    def render(report: GroomingReport) -> str:
        buffer = io.StringIO()
        stream(report, buffer)
        return buffer.getvalue()

    return render


render_markdown = _rendered(_stream_markdown)
render_html = _rendered(_stream_html)
render_csv = _rendered(_stream_csv)
render_json = _rendered(_stream_json)

WRITERS = {"md": _stream_markdown, "html": _stream_html, "csv": _stream_csv, "json": _stream_json}


def write_reports(report: GroomingReport, folder: Path, formats: Sequence[str]) -> list[Path]:
    """Write each requested format into `folder`, streamed to a temporary file; returns the paths written.

    All or nothing as far as a file system allows: every format is written to its temporary file first, so a
    failing render or write (disk full, permissions) leaves the previous report whole; only then are the files
    renamed into place, each rename atomic.
    """
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for fmt in dict.fromkeys(formats):
            path = folder / FILES[fmt]
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            staged.append((tmp, path))
            with tmp.open("w", encoding="utf-8", newline="") as out:
                WRITERS[fmt](report, out)
        for tmp, path in staged:
            tmp.replace(path)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [path for _, path in staged]
