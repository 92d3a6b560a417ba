"""Human-readable output on the terminal (stderr for the summary, stdout for the plan table)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from syncer.pipeline import PullProgress, RunReport


def _value(v: Any) -> str:
    if v is None:
        return "∅"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def plan_table(report: RunReport) -> Table:
    table = Table(title="Planned changes", show_lines=False)
    for column in ("tracker", "issue", "changes", "comment"):
        table.add_column(column)
    for run in report.trackers:
        if run.plan is None:
            continue
        for write in run.plan.writes:
            changes = ", ".join(
                f"{name}: {_value(write.previous.get(name))} → {_value(value)}" for name, value in write.fields.items()
            )
            comment = "" if write.comment is None else ("update" if write.comment.comment_id else "create")
            table.add_row(run.name, write.ref.key, changes or "—", comment)
    return table


def print_plan(report: RunReport, console: Console) -> None:
    writes = sum(len(r.plan.writes) for r in report.trackers if r.plan)
    if writes:
        console.print(plan_table(report))
    console.print(f"{writes} issue(s) would change; nothing was written (dry run).")


def breach_table(breaches: list[dict[str, Any]]) -> Table:
    table = Table(title="WIP limits breached: finish the oldest before starting more", title_style="yellow")
    for column in ("tracker", "scope", "name", "count / limit", "oldest in status"):
        table.add_column(column, justify="right" if column == "count / limit" else "left")
    for b in breaches:
        oldest = ", ".join(
            f"{i['key']} ({i['age_days']:.0f}d)" if i["age_days"] is not None else i["key"] for i in b["oldest"][:3]
        )
        limit = f"{b['count']} / {b['limit']}" + ("" if b["source"] == "config" else f" ({b['source']})")
        table.add_row(b["tracker"], b["scope"], b["name"], limit, oldest)
    return table


def print_summary(report: RunReport, data: dict[str, Any], console: Console) -> None:
    table = Table(title="syncer run" + (" (dry run)" if report.dry_run else ""))
    for column in (
        "tracker",
        "issues",
        "scored",
        "needs input",
        "WIP breaches",
        "fields written",
        "comments written",
    ):
        table.add_column(column, justify="right" if column != "tracker" else "left")
    for t in data["trackers"]:
        name = t["name"] if not t["error"] else f"{t['name']} [red](failed)[/red]"
        table.add_row(
            name,
            str(t["issues"]),
            str(t["scored"]),
            str(t["needs_input"]),
            str(t["wip_breaches"]),
            str(t["fields_written"]),
            str(t["comments_written"]),
        )
    console.print(table)
    if data["breaches"]:
        console.print(breach_table(data["breaches"]))
    if data.get("reports"):
        console.print(f"grooming report: {', '.join(data['reports'])}")
    for err in data["errors"]:
        key = f" {err['key']}" if err.get("key") else ""
        # escape: a message may name a TOML section ("[safety]"), which rich would take for markup and drop
        console.print(f"[red]error[/red] {err['tracker']}{key}: {escape(err['message'])}", highlight=False)


@contextlib.contextmanager
def pull_progress() -> Iterator[PullProgress | None]:
    """A live line per tracker while issues arrive, on a terminal only (cron logs get the summary alone)."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(tracker: str, count: int, done: bool) -> None:
            if tracker not in tasks:
                tasks[tracker] = bar.add_task("", total=None)
            if done:  # a finished task stops its spinner and clock
                bar.update(
                    tasks[tracker], description=f"{tracker}: pulled {count} issues", total=count, completed=count
                )
            else:
                bar.update(tasks[tracker], description=f"{tracker}: pulling… {count} issues")

        yield update
