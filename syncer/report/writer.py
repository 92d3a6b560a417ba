"""Rendering the grooming report to files: Markdown and HTML (jinja2 templates), CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

from syncer.report.charts import bar_chart
from syncer.report.content import GroomingReport

CSV_COLUMNS = (
    "tracker", "key", "title", "status", "assignee", "score", "rank", "bucket", "problems", "change", "url",
)  # fmt: skip

FILES = {"md": "grooming-report.md", "html": "grooming-report.html", "csv": "issues.csv", "json": "report.json"}


def _md(text: object) -> str:
    """Table-cell safe: a pipe or newline in a title must not break the Markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("syncer.report", "templates"),
        autoescape=autoescape,  # noqa: S701  (Markdown is not HTML; the HTML report escapes)
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    env.filters["num"] = _num
    env.globals["bar_chart"] = bar_chart
    env.globals["wip_items"] = lambda breaches: [(f"{b.scope} {b.name}", b.count) for b in breaches]
    return env


def render_markdown(report: GroomingReport) -> str:
    return _environment(False).get_template("report.md.j2").render(r=report)


def render_html(report: GroomingReport) -> str:
    return _environment(True).get_template("report.html.j2").render(r=report)


def render_csv(report: GroomingReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        data = asdict(row)
        data["problems"] = "; ".join(row.problems)
        writer.writerow(["" if data[c] is None else data[c] for c in CSV_COLUMNS])
    return buffer.getvalue()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def render_json(report: GroomingReport) -> str:
    data = {
        "generated": report.generated,
        "dry_run": report.dry_run,
        "totals": report.totals,
        "sections": [asdict(s) for s in report.sections],
        "issues": [asdict(r) for r in report.rows],
    }
    return json.dumps(data, default=_jsonable, indent=1, ensure_ascii=False) + "\n"


RENDERERS = {"md": render_markdown, "html": render_html, "csv": render_csv, "json": render_json}


def write_reports(report: GroomingReport, folder: Path, formats: Sequence[str]) -> list[Path]:
    """Write each requested format into `folder`; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = folder / FILES[fmt]
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(RENDERERS[fmt](report), encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
