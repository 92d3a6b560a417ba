"""Human-readable output on the terminal (stderr for the summary, stdout for the plan table).

Keys, names and messages from a tracker go into tables as `rich.text.Text` built by `_t`: rich would otherwise
read "[red]" or "[link=...]" in them as its own markup, and the terminal would act on escape sequences.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from syncer.escape import NAME_MAX, clean, one_line
from syncer.history import fmt
from syncer.pipeline import PullProgress, RunReport
from syncer.settings import SyncSettings
from syncer.settings.alerts import FileAlert

if TYPE_CHECKING:
    from syncer.job import JobResult

DIGEST_FIRST = 5
"""Console alerts shown after the summary when a file destination keeps the full text."""


def _t(value: object, limit: int = NAME_MAX) -> Text:
    """Tracker text for a table cell: one clean line, shown as is (no rich markup, no highlighting)."""
    return Text(one_line(value, limit))


def _value(v: Any) -> str:
    """As people write numbers (15211.8, 950.74), like the comment's "what moved" line; never 1.521e+04."""
    if v is None:
        return "∅"
    return fmt(v)


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
            table.add_row(_t(run.name), _t(write.ref.key), _t(changes or "—", 2000), comment)
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
        table.add_row(_t(b["tracker"]), b["scope"], _t(b["name"]), limit, _t(oldest, 1000))
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
        name = _t(t["name"]) if not t["error"] else Text.assemble(_t(t["name"]), " ", ("(failed)", "red"))
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
        # Text, not markup: a message may name a TOML section ("[safety]") or carry tracker text ("[red]")
        line = Text.assemble(
            ("error", "red"), f" {one_line(err['tracker'])}{one_line(key)}: ", Text(clean(err["message"]))
        )
        console.print(line, highlight=False)


def print_alert_digest(console: Console, result: JobResult, settings: SyncSettings, held: list[str]) -> None:
    """After the summary: alerts per destination, then the first few console alerts (all when no file keeps them)."""
    a = result.alerts
    per = ", ".join(f"{name} {count}" for name, count in sorted(a.sent_by_destination.items()))
    line = f"alerts: {a.sent} sent" + (f" ({per})" if per else "") + f", {a.pending} pending"
    if a.dead_lettered:
        line += f", {a.dead_lettered} dead-lettered (kept in the state store, not retried)"
    console.print(line, markup=False, highlight=False, soft_wrap=True)
    for error in a.errors:
        console.print(Text.assemble(("alert error", "red"), " ", error))
    if not held:
        return
    files = [str(e.path) for e in settings.alerts if isinstance(e, FileAlert)]
    shown = [t.split("\n", 1)[0] for t in held[:DIGEST_FIRST]] if files else held
    for text in shown:
        console.out(text, highlight=False)
    if len(shown) < len(held):
        console.print(
            f"… {len(held) - len(shown)} more; every alert in full: {', '.join(files)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


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
