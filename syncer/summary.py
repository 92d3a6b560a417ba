"""Turning a `RunReport` into the `--json` summary object and the process exit code."""

from __future__ import annotations

from typing import Any

from syncer.escape import NAME_MAX, TITLE_MAX, http_url, one_line
from syncer.exitcodes import ExitCode
from syncer.pipeline import RunReport, TrackerRun


def _breach(b: Any) -> dict[str, Any]:
    return {
        "tracker": b.tracker,
        "scope": b.scope,
        "name": one_line(b.name, NAME_MAX),
        "limit": b.limit,
        "count": b.count,
        "source": b.source,
        "oldest": [  # a summary for people and scripts: tracker text as one clean line, links only http(s)
            {
                "key": one_line(i.ref.key),
                "title": one_line(i.title, TITLE_MAX),
                "url": http_url(i.url) or "",
                "age_days": None if i.age_days is None else round(i.age_days, 1),
            }
            for i in b.items[:5]
        ],
    }


def _tracker(run: TrackerRun) -> dict[str, Any]:
    scored = sum(1 for r in run.results.values() if r.scored)
    applied = run.applied
    return {
        "name": run.name,
        "kind": run.kind,
        "issues": len(run.issues),
        "scored": scored,
        "needs_input": len(run.results) - scored,
        "planned_writes": len(run.plan.writes) if run.plan else 0,
        "planned_fields": run.plan.field_count if run.plan else 0,
        "planned_comments": run.plan.comment_count if run.plan else 0,
        "fields_written": applied.fields_written if applied else 0,
        "comments_written": applied.comments_written if applied else 0,
        "wip_breaches": len(run.breaches),
        "skipped_records": list(run.skipped),
        "error": run.error,
    }


def errors(report: RunReport) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for run in report.trackers:
        if run.error:
            out.append({"tracker": run.name, "kind": run.error_kind, "message": run.error})
        out.extend({"tracker": run.name, "kind": "record", "message": msg} for msg in run.skipped)
        if run.applied:
            out.extend(
                {"tracker": run.name, "kind": "write", "key": f.ref.key, "message": f.message}
                for f in run.applied.failures
            )
    return out


def summary(report: RunReport) -> dict[str, Any]:
    """The `--json` object; its top-level keys are a documented contract."""
    trackers = [_tracker(t) for t in report.trackers]

    def total(key: str) -> int:
        return sum(int(t[key]) for t in trackers)

    return {
        "dry_run": report.dry_run,
        "issues": total("issues"),
        "scored": total("scored"),
        "needs_input": total("needs_input"),
        "planned_fields": total("planned_fields"),
        "planned_comments": total("planned_comments"),
        "fields_written": total("fields_written"),
        "comments_written": total("comments_written"),
        "wip_breaches": total("wip_breaches"),
        "breaches": [_breach(b) for t in report.trackers for b in t.breaches],
        "errors": errors(report),
        "trackers": trackers,
        "reports": list(report.report_files),
        "started": report.started.isoformat(),
        "finished": report.finished.isoformat() if report.finished else None,
    }


def exit_code(report: RunReport) -> ExitCode:
    kinds = {t.error_kind for t in report.trackers if t.error_kind}
    if "config" in kinds:
        return ExitCode.CONFIG
    if kinds & {"auth", "unavailable"}:
        return ExitCode.TRACKER_UNAVAILABLE
    if any(t.applied and t.applied.failures for t in report.trackers):
        return ExitCode.WRITE_FAILURES
    return ExitCode.OK
