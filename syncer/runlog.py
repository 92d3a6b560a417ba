"""The one line a finished run leaves in the log: the counts of the `syncer run --json` summary.

`syncer schedule` logs it after every run, and `syncer run` logs it in JSON mode, so a log search and the
`--json` summary never disagree (both are built from `syncer.summary.summary`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from syncer.logs import json_mode, user_message

log = logging.getLogger("syncer.run")

COUNTS = (
    "issues",
    "scored",
    "needs_input",
    "fields_written",
    "comments_written",
    "wip_breaches",
    "alerts_queued",
    "alerts_sent",
    "alerts_failed",
    "alerts_pending",
    "alerts_dead_lettered",
)


def counts(data: Mapping[str, Any]) -> dict[str, Any]:
    out = {key: data[key] for key in COUNTS if key in data}
    out["write_failures"] = sum(1 for e in data.get("errors", []) if e.get("kind") == "write")
    return out


def line(data: Mapping[str, Any], code: int) -> str:
    c = counts(data)
    text = (
        f"run {data.get('run_id')} finished (exit {code}): {c['issues']} issues, {c['scored']} scored, "
        f"{c['needs_input']} need input; {c['fields_written']} fields and {c['comments_written']} comments "
        f"written, {c['write_failures']} write failures; {c['wip_breaches']} WIP breaches"
    )
    if "alerts_sent" in c:
        text += f"; alerts {c['alerts_sent']} sent, {c['alerts_pending']} pending"
    if c.get("alerts_dead_lettered"):
        text += f", {c['alerts_dead_lettered']} dead-lettered"
    return text


def log_finished(data: Mapping[str, Any], code: int, *, duration: float | None = None) -> None:
    """`run.finished` with the summary's counts, then one `run.error` per error (JSON), or one text line."""
    fields: dict[str, Any] = {**counts(data), "exit_code": code, "dry_run": data.get("dry_run", False)}
    if duration is not None:
        fields["duration_seconds"] = round(duration, 3)
    if json_mode():
        log.info("run.finished", extra={**fields, "reports": list(data.get("reports", []))})
        for t in data.get("trackers", []):
            log.info(
                "run.tracker",
                extra={"tracker": t["name"]}
                | {
                    k: t[k]
                    for k in (
                        "issues",
                        "scored",
                        "needs_input",
                        "fields_written",
                        "comments_written",
                        "wip_breaches",
                        "error",
                    )
                    if k in t
                },
            )
        for text in data.get("alert_errors", []):
            log.error("alerts.error %s", text)
        for err in data.get("errors", []):
            log.error(
                "run.error %s",
                err.get("message"),
                extra={"tracker": err.get("tracker"), "kind": err.get("kind"), "key": err.get("key")},
            )
    else:
        user_message(line(data, code), event="run.finished", **fields)
        for err in data.get("errors", []):  # e.g. the mass needs-input guard held the writes: say why, every slot
            key = f" {err['key']}" if err.get("key") else ""
            user_message(f"syncer: {err.get('tracker')}{key}: {err.get('message')}", event="run.error")
