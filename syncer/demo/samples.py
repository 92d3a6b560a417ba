"""The sample exports under `examples/`, built reproducibly from the demo backlog.

`examples/backlog.json` holds 18 open issues of the demo backlog (teams ENG and DES, keys ACME-1...) in the local
tracker's format; the other files are the same issues as a plain CSV, as Jira's "Export CSV (all fields)" and as
Linear's CSV export would show them after the sandboxes were seeded from `backlog.json` (so scoring an export
and a run over the seeded sandbox give the same scores; a test checks it). `python -m syncer.demo.samples`
rewrites them; a test checks they are current.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from syncer.demo.workspace import config_dir

COUNT = 18
TEAMS = ("ENG", "DES")
"""Teams whose Linear estimate scale (fibonacci, t-shirt) stores the comparable points themselves."""
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def sample_backlog() -> dict[str, Any]:
    """The first open, non-sub-task ENG/DES issues of the demo backlog, renumbered ACME-1..."""
    shipped = json.loads((config_dir() / "demo-backlog.json").read_text(encoding="utf-8"))
    picked = [
        i for i in shipped["issues"] if i["status_category"] != "done" and i["team"] in TEAMS and not i["is_subtask"]
    ][:COUNT]
    issues = []
    for number, issue in enumerate(picked, start=1):
        issues.append(
            {
                **issue,
                "key": f"ACME-{number}",
                "id": str(10000 + number),
                "url": f"https://acme.atlassian.net/browse/ACME-{number}",
            }
        )
    return {"version": 1, "issues": issues}


def _jira_time(text: str, shift: timedelta = timedelta(0)) -> str:
    # Jira Cloud's export default: 05/Nov/26 2:37 PM (day first, two-digit year, 12-hour clock).
    moment = datetime.fromisoformat(text) + shift
    return f"{moment:%d/%b/%y} {moment.hour % 12 or 12}:{moment:%M %p}"


def _linear_time(text: str) -> str:
    return datetime.fromisoformat(text).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _number(value: Any) -> str:
    return "" if value is None else str(float(value))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]], *, bom: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + out.getvalue()


def plain_csv(issues: Sequence[dict[str, Any]]) -> str:
    rows = [
        [
            i["key"],
            i["title"],
            i["status"],
            _text(i["fields"]["Reach"]),
            _text(i["fields"]["Impact"]),
            _text(i["fields"]["Confidence"]),
            _text(i["fields"]["Effort"]),
        ]
        for i in issues
    ]
    return _csv(["key", "summary", "status", "reach", "impact", "confidence", "effort"], rows)


JIRA_HEADER = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Priority",
    "Assignee",
    "Reporter",
    "Created",
    "Updated",
    "Labels",
    "Labels",
    "Description",
    "Watchers",
    "Watchers",
    "Sprint",
    "Sprint",
    "Custom field (Confidence)",
    "Custom field (Impact)",
    "Custom field (Priority Bucket)",
    "Custom field (Priority Rank)",
    "Custom field (RICE Score)",
    "Custom field (Reach)",
    "Custom field (Story Points)",
    "Comment",
    "Comment",
]


def jira_csv(issues: Sequence[dict[str, Any]]) -> str:
    """Jira Cloud's "Export Excel CSV (all fields)": BOM, repeated columns, Jira dates, multi-line cells."""
    rows = []
    for n, i in enumerate(issues):
        labels = [*i["labels"], "", ""][:2]
        started = i["status_category"] == "in_progress"
        sprints = (
            ["ACME Sprint 41", "ACME Sprint 42"]
            if started and n % 2
            else ["ACME Sprint 42", ""]
            if started
            else ["", ""]
        )
        watchers = [i["assignee"] or "", "pm-lead"] if n % 3 else ["pm-lead", ""]
        description = (
            f'As a customer I want to {i["title"].lower()}.\n\nAcceptance:\n* works on mobile, "fast"\n* no regressions'
        )
        comments = (
            [f"{_jira_time(i['created'], timedelta(hours=2))};557058:0f3c2a;Sizing this, see the\nlinked notes", ""]
            if n % 4 == 0
            else ["", ""]
        )
        fields = i["fields"]
        rows.append(
            [
                i["title"],
                i["key"],
                i["id"],
                "Story",
                i["status"],
                "ACME",
                "Acme Product",
                "Medium",
                i["assignee"] or "",
                "pm-lead",
                _jira_time(i["created"]),
                _jira_time(i["updated"]),
                *labels,
                description,
                *watchers,
                *sprints,
                _text(fields["Confidence"]),
                _text(fields["Impact"]),
                "",
                "",
                "",
                _number(fields["Reach"]),
                _number(fields["Effort"]),
                *comments,
            ]
        )
    return _csv(JIRA_HEADER, rows, bom=True)


LINEAR_HEADER = [
    "ID",
    "Team",
    "Title",
    "Description",
    "Status",
    "Estimate",
    "Priority",
    "Project",
    "Creator",
    "Assignee",
    "Labels",
    "Cycle Number",
    "Created",
    "Updated",
    "Started",
    "Completed",
]


def _label_value(value: Any) -> str | None:
    # As the Linear sandbox names a group's child label after the value (0.5 -> "0.5", 3 -> "3").
    if value is None:
        return None
    return (f"{value:g}" if isinstance(value, float) else str(value)).strip()


def linear_csv(issues: Sequence[dict[str, Any]]) -> str:
    """Linear's CSV export: ID per team, labels in groups as Group/Value, the description as Markdown."""
    numbers: dict[str, int] = {}
    first_spelling: dict[tuple[str, str], str] = {}
    rows = []
    for i in issues:
        team = i["team"]
        numbers[team] = numbers.get(team, 0) + 1
        fields = i["fields"]
        grouped = []
        for group in ("Impact", "Confidence"):
            value = _label_value(fields.get(group))
            if value is not None:
                # Linear matches a label name case-blind: the first spelling is the label every issue carries.
                grouped.append(f"{group}/{first_spelling.setdefault((group, value.casefold()), value)}")
        effort = fields.get("Effort")
        estimate = "" if effort is None else f"{max(float(effort), 1.0) if effort else 0.0:g}"
        reach = fields.get("Reach")
        description = "" if reach is None else f"Why: {i['title'].lower()}.\n\n```syncer\nReach: {reach}\n```"
        started = i["status_category"] == "in_progress"
        rows.append(
            [
                f"{team}-{numbers[team]}",
                f"{team} team",
                i["title"],
                description,
                i["status"],
                estimate,
                "No priority",
                "",
                "pm-lead",
                i["assignee"] or "",
                ", ".join([*i["labels"], *grouped]),
                "",
                _linear_time(i["created"]),
                _linear_time(i["updated"]),
                _linear_time(i["status_entered"]) if started else "",
                "",
            ]
        )
    return _csv(LINEAR_HEADER, rows)


def render_all() -> dict[str, str]:
    """File name under examples/ -> content."""
    backlog = sample_backlog()
    issues = backlog["issues"]
    return {
        "backlog.json": json.dumps(backlog, indent=1, ensure_ascii=False) + "\n",
        "backlog.csv": plain_csv(issues),
        "jira-export.csv": jira_csv(issues),
        "linear-export.csv": linear_csv(issues),
    }


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLES
    target.mkdir(parents=True, exist_ok=True)
    for name, content in render_all().items():
        (target / name).write_bytes(content.encode("utf-8"))
        print(f"wrote {target / name}")
