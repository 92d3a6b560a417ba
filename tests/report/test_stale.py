"""Stale means untouched by people: syncer's own field and comment writes are not activity."""

from __future__ import annotations

import json
from pathlib import Path

from connectors.jira.sandbox import JiraSandbox, seed
from connectors.linear.sandbox import LinearSandbox, synthetic
from syncer.job import run_job
from syncer.settings import SyncSettings
from tests.jira.conftest import jira_settings, with_account
from tests.linear.conftest import linear_settings


def _stale(settings: SyncSettings) -> tuple[int, list[str], int]:
    """Stale count, stale keys and fields written by one real run."""
    result = run_job(settings)
    [run] = result.report.trackers
    assert run.error is None
    folder = settings.report.dir or settings.workdir / "reports"
    [section] = json.loads((folder / "report.json").read_text())["sections"]
    written = run.applied.fields_written + run.applied.comments_written if run.applied else 0
    return len(section["stale"]), sorted(r["key"] for r in section["stale"]), written


def test_jira_stale_count_survives_a_rerun_that_people_did_not_touch(tmp_path: Path) -> None:
    server = JiraSandbox(with_account(seed.synthetic(40, mode="cloud"))).serve().start()
    try:
        settings = jira_settings(server.url, deployment="cloud", outputs={**seed.TRACKER_FIELDS["outputs"], "comment": True})
        settings = settings.model_copy(update={"workdir": tmp_path})
        first, first_keys, first_written = _stale(settings)
        second, second_keys, second_written = _stale(settings)
    finally:
        server.stop()
    assert first_written > 0 and first > 20  # the seed's issues were last touched weeks ago; syncer wrote to them
    assert second_written == 0
    assert (second, second_keys) == (first, first_keys)  # was 0: syncer's writes had bumped `updated`


def test_linear_stale_count_survives_a_rerun_that_people_did_not_touch(tmp_path: Path) -> None:
    sandbox = LinearSandbox(synthetic(40)).start()
    try:
        settings = linear_settings(sandbox.url, tmp_path, outputs={"attachment": True, "comment": True})
        first, first_keys, first_written = _stale(settings)
        second, second_keys, _ = _stale(settings)
    finally:
        sandbox.stop()
    assert first_written > 0 and first > 0
    assert (second, second_keys) == (first, first_keys)
