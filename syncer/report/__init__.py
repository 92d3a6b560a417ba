"""The backlog-grooming report: what a product manager reads before refinement (Markdown, HTML, CSV, JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from syncer.models import IssueRef
from syncer.pipeline import RunReport
from syncer.report.content import GroomingReport, build_report
from syncer.report.flowview import FlowReport
from syncer.report.writer import write_reports
from syncer.settings import SyncSettings

__all__ = ["GroomingReport", "build_report", "publish", "write_reports"]


def publish(
    run: RunReport,
    settings: SyncSettings,
    changes: Mapping[IssueRef, str] | None = None,
    flow: FlowReport | None = None,
) -> list[Path]:
    """Write the configured report formats for a finished run; returns the files written."""
    if not settings.report.enabled:
        return []
    folder = settings.report.dir or settings.workdir / "reports"
    report = build_report(run, settings.report, run.finished or run.started, changes, flow)
    return write_reports(report, folder, settings.report.formats)
