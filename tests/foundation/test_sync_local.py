"""The whole cycle on the local tracker: only changes are written, comments are edited in place."""

from __future__ import annotations

import json
from pathlib import Path

from syncer.comments import find_marker
from syncer.pipeline import run_sync
from syncer.settings import load_settings
from syncer.summary import exit_code, summary
from tests.conftest import read_issues


def _sync(config: Path, *, dry_run: bool = False) -> dict:
    report = run_sync(load_settings(config), dry_run=dry_run)
    data = summary(report)
    data["exit"] = int(exit_code(report))
    return data


def test_first_run_writes_then_rerun_writes_nothing(write_config, backlog_path: Path) -> None:
    config = write_config(backlog=backlog_path)
    first = _sync(config)
    assert first["scored"] == 7 and first["needs_input"] == 1
    assert first["fields_written"] == 7 * 3
    assert first["comments_written"] == 8
    issues = read_issues(backlog_path)
    assert issues["T-8"]["fields"]["Priority Rank"] == 1
    assert issues["T-8"]["fields"]["Priority Bucket"] == "Now"
    assert issues["T-8"]["fields"]["RICE Score"] == 800 * 2 * 0.8 / 2
    second = _sync(config)
    assert (second["fields_written"], second["comments_written"], second["planned_fields"]) == (0, 0, 0)
    assert read_issues(backlog_path) == issues


def test_needs_input_issue_gets_no_score_and_an_explaining_comment(write_config, backlog_path: Path) -> None:
    _sync(write_config(backlog=backlog_path))
    issue = read_issues(backlog_path)["T-3"]
    assert "RICE Score" not in issue["fields"]
    assert "effort" in issue["comments"][0]["body"]
    assert "needs input" in issue["comments"][0]["body"]


def test_stale_score_is_cleared_when_input_becomes_invalid(write_config, backlog_path: Path) -> None:
    config = write_config(backlog=backlog_path)
    _sync(config)
    data = json.loads(backlog_path.read_text())
    data["issues"][7]["fields"]["Effort"] = "lots"
    backlog_path.write_text(json.dumps(data))
    _sync(config)
    issue = read_issues(backlog_path)["T-8"]
    assert issue["fields"]["RICE Score"] is None
    assert issue["fields"]["Priority Rank"] is None


def test_changed_input_edits_the_comment_in_place(write_config, backlog_path: Path) -> None:
    config = write_config(backlog=backlog_path)
    _sync(config)
    before = read_issues(backlog_path)["T-5"]["comments"]
    data = json.loads(backlog_path.read_text())
    data["issues"][4]["fields"]["Reach"] = 100000
    backlog_path.write_text(json.dumps(data))
    result = _sync(config)
    after = read_issues(backlog_path)["T-5"]["comments"]
    assert len(after) == 1 and after[0]["id"] == before[0]["id"]
    assert "reach 100000" in after[0]["body"]
    assert result["comments_written"] >= 1


def test_reruns_never_duplicate_the_comment_and_leave_human_comments(write_config, backlog_path: Path) -> None:
    data = json.loads(backlog_path.read_text())
    data["issues"][0]["comments"] = [{"id": "h1", "author": "ana", "body": "Customer X needs this"}]
    backlog_path.write_text(json.dumps(data))
    config = write_config(backlog=backlog_path)
    for _ in range(3):
        _sync(config)
    comments = read_issues(backlog_path)["T-1"]["comments"]
    assert [c["id"] for c in comments if find_marker(c["body"]) is not None] == ["T-1-c2"]
    assert comments[0] == {"id": "h1", "author": "ana", "body": "Customer X needs this"}


def test_deleted_worker_comment_is_recreated_once(write_config, backlog_path: Path) -> None:
    config = write_config(backlog=backlog_path)
    _sync(config)
    data = json.loads(backlog_path.read_text())
    data["issues"][3]["comments"] = []
    backlog_path.write_text(json.dumps(data))
    assert _sync(config)["comments_written"] == 1
    assert len(read_issues(backlog_path)["T-4"]["comments"]) == 1


def test_dry_run_writes_nothing(write_config, backlog_path: Path) -> None:
    before = backlog_path.read_bytes()
    result = _sync(write_config(backlog=backlog_path), dry_run=True)
    assert result["planned_fields"] == 21 and result["planned_comments"] == 8
    assert result["fields_written"] == 0
    assert backlog_path.read_bytes() == before


def test_failed_write_is_reported_exit_1_and_retried_next_run(write_config, backlog_path: Path) -> None:
    data = json.loads(backlog_path.read_text())
    data["read_only_fields"] = ["Priority Bucket"]
    backlog_path.write_text(json.dumps(data))
    config = write_config(backlog=backlog_path)
    first = _sync(config)
    assert first["exit"] == 1
    assert {e["kind"] for e in first["errors"]} == {"write"}
    assert "Priority Bucket" in first["errors"][0]["message"]
    data = json.loads(backlog_path.read_text())
    data["read_only_fields"] = []
    backlog_path.write_text(json.dumps(data))
    second = _sync(config)
    assert second["exit"] == 0
    assert second["fields_written"] > 0


def test_malformed_record_is_reported_and_the_rest_synced(write_config, backlog_path: Path) -> None:
    data = json.loads(backlog_path.read_text())
    data["issues"][5]["created"] = "last tuesday"
    backlog_path.write_text(json.dumps(data))
    result = _sync(write_config(backlog=backlog_path))
    assert result["issues"] == 7
    assert any("T-6" in e["message"] and "created" in e["message"] for e in result["errors"])


def test_missing_backlog_exits_3(write_config, tmp_path: Path) -> None:
    result = _sync(write_config(backlog=tmp_path / "gone.json"))
    assert result["exit"] == 3
    assert "does not exist" in result["errors"][0]["message"]


def test_wip_breach_reported_with_oldest_first(write_config, backlog_path: Path) -> None:
    result = _sync(write_config(backlog=backlog_path))
    assert result["wip_breaches"] == 1
    breach = result["breaches"][0]
    assert (breach["scope"], breach["name"], breach["limit"], breach["count"]) == (
        "status",
        "In Progress",
        1,
        2,
    )
    assert [i["key"] for i in breach["oldest"]] == ["T-1", "T-2"]


def test_finished_issue_leaves_the_ranking(write_config, backlog_path: Path) -> None:
    config = write_config(backlog=backlog_path)
    _sync(config)
    data = json.loads(backlog_path.read_text())
    data["issues"][7].update(status="Done", status_category="done")
    backlog_path.write_text(json.dumps(data))
    result = _sync(config)
    issues = read_issues(backlog_path)
    assert issues["T-8"]["fields"]["Priority Rank"] is None
    assert issues["T-8"]["fields"]["Priority Bucket"] is None
    assert issues["T-8"]["fields"]["RICE Score"] == 640  # the last score stays as a record
    assert issues["T-7"]["fields"]["Priority Rank"] == 1
    assert result["scored"] == 6
    assert _sync(config)["fields_written"] == 0


def test_one_issue_moving_up_rewrites_ranks_but_only_its_own_comment(write_config, backlog_path: Path) -> None:
    config = write_config(backlog=backlog_path)
    _sync(config)
    before = read_issues(backlog_path)
    data = json.loads(backlog_path.read_text())
    data["issues"][0]["fields"]["Reach"] = 100000  # T-1 jumps from last to first
    backlog_path.write_text(json.dumps(data))
    result = _sync(config)
    after = read_issues(backlog_path)
    assert after["T-1"]["fields"]["Priority Rank"] == 1
    rank_moved = {
        k for k in after if after[k]["fields"].get("Priority Rank") != before[k]["fields"].get("Priority Rank")
    }
    rewritten = {k for k in after if after[k]["comments"] != before[k]["comments"]}
    bucket_moved = {
        k for k in after if after[k]["fields"].get("Priority Bucket") != before[k]["fields"].get("Priority Bucket")
    }
    assert len(rank_moved) == 7  # T-1 and the six scored issues it overtook
    assert rewritten == bucket_moved | {"T-1"}  # its own score changed; the others only where the bucket did
    assert result["comments_written"] == len(rewritten) < len(rank_moved)


def test_progress_is_reported_as_issues_arrive(write_config, backlog_path: Path, monkeypatch) -> None:
    import syncer.pipeline as pipeline

    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 3)
    calls: list[tuple[str, int, bool]] = []
    run_sync(load_settings(write_config(backlog=backlog_path)), dry_run=True, progress=lambda *a: calls.append(a))
    assert calls == [("local", 3, False), ("local", 6, False), ("local", 8, True)]


def _churn(tmp_path: Path, policy: str) -> tuple[dict, dict, dict]:
    """120 ranked issues; the last one jumps to the top. Returns the run summaries and the issues before/after."""
    from tests.conftest import base_config, make_issue

    backlog = tmp_path / f"{policy}.json"
    backlog.write_text(json.dumps({"version": 1, "issues": [make_issue(n) for n in range(1, 121)]}))
    text = base_config(backlog, tmp_path / f"{policy}.work").replace(
        "comment = true", f'comment = true\nrank_updates = "{policy}"\nrank_top = 10'
    )
    config = tmp_path / f"{policy}.toml"
    config.write_text(text)
    _sync(config)
    before = read_issues(backlog)
    data = json.loads(backlog.read_text())
    data["issues"][0]["fields"]["Reach"] = 10**6  # T-1 jumps from 120th to 1st
    backlog.write_text(json.dumps(data))
    moved = _sync(config)
    rerun = _sync(config)
    return moved, rerun, {"before": before, "after": read_issues(backlog)}


def test_rank_updates_top_keeps_the_first_ranks_exact_and_leaves_the_tail_alone(tmp_path: Path) -> None:
    always, always_rerun, _ = _churn(tmp_path, "always")
    top, top_rerun, issues = _churn(tmp_path, "top")
    assert always["fields_written"] >= 120  # every rank shifts by one
    before, after = issues["before"], issues["after"]
    ranks = {k: after[k]["fields"]["Priority Rank"] for k in after}
    assert ranks["T-1"] == 1
    # The first ten places are exact: the ten best issues hold ranks 1..10 and nobody else does.
    assert sorted(v for v in ranks.values() if v <= 10) == list(range(1, 11))
    rank_writes = {k for k in after if after[k]["fields"]["Priority Rank"] != before[k]["fields"]["Priority Rank"]}
    bucket_moves = {k for k in after if after[k]["fields"]["Priority Bucket"] != before[k]["fields"]["Priority Bucket"]}
    assert rank_writes <= bucket_moves | {k for k, v in ranks.items() if v <= 11}
    assert top["fields_written"] < always["fields_written"] / 3
    # Reruns write nothing under either policy: a lagging rank is not "changed" again and again.
    assert always_rerun["planned_fields"] == top_rerun["planned_fields"] == 0


def test_an_applied_plan_keeps_its_counts_but_not_its_comment_texts(write_config, backlog_path: Path) -> None:
    """Nothing reads a comment's text once it is written, and the plan is held through the grooming report."""
    config = write_config(backlog=backlog_path)
    dry = run_sync(load_settings(config), dry_run=True).trackers[0].plan
    assert dry is not None and all(w.comment is not None and w.comment.text for w in dry.writes), "a plan shows them"
    report = run_sync(load_settings(config))
    [run] = report.trackers
    assert run.plan is not None and run.applied is not None
    assert run.plan.comment_count == run.applied.comments_written == 8
    assert all(w.comment is not None and w.comment.text == "" for w in run.plan.writes)
    assert summary(report)["planned_comments"] == 8
