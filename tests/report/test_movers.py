"""Movers come from the full ranking: an issue falling from rank 1 to 50 is listed, with the input that moved it."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from syncer.cli import main
from syncer.history import SUMMARY_MOVES, kept_moves, moves, sorted_moves
from syncer.models import IssueRef, StatusCategory, TrackerIssue
from syncer.report.content import select_movers
from syncer.state import HistoryRow, Snapshot
from tests.conftest import make_issue

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def _backlog(path: Path, n: int) -> None:
    issues = [make_issue(i, Reach=100 * i) for i in range(1, n + 1)]
    path.write_text(json.dumps({"version": 1, "issues": issues}), encoding="utf-8")


def test_rank_one_falling_to_fifty_is_a_mover_in_html_and_markdown(write_config, tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    _backlog(backlog, 60)
    config = str(write_config(backlog=backlog))
    assert CliRunner().invoke(main, ["run", "--config", config]).exit_code == 0
    # T-60 (reach 6000) is rank 1; a reach of 1,050 puts it between T-10 and T-11: rank 50.
    data = json.loads(backlog.read_text())
    top = next(i for i in data["issues"] if i["key"] == "T-60")
    top["fields"]["Reach"] = 1050
    backlog.write_text(json.dumps(data))

    result = CliRunner().invoke(main, ["run", "--config", config, "--json"])
    assert result.exit_code == 0, result.output
    assert {"key": "T-60", "rank_from": 1, "rank_to": 50}.items() <= json.loads(result.stdout)["moved"][0].items()

    folder = Path(f"{backlog}.work") / "reports"
    md = (folder / "grooming-report.md").read_text()
    movers = md[md.index("### 3. Moved since the last report") : md.index("### 4. Work in progress")]
    assert "| T\\-60 | Issue 60 | 1 → 50 | Now → Later | reach 6000 \\-\\> 1050 |" in movers
    html = (folder / "grooming-report.html").read_text()
    movers_html = html[html.index("3. Moved since the last report") : html.index("4. Work in progress")]
    assert "T-60" in movers_html and "1 → 50" in movers_html and "reach 6000 -&gt; 1050" in movers_html
    # Every issue between ranks 2 and 50 rose one place: listed (at most 10) as moved by others, not by their inputs.
    assert "| T\\-59 | Issue 59 | 2 → 1 |" in movers and "other issues moved" in movers
    exported = json.loads((folder / "report.json").read_text())["movers"]
    assert {"key": "T-60", "rank_from": 1, "rank_to": 50, "cause": "reach 6000 -> 1050"}.items() <= exported[1].items()


def _snap(key: str, rank: int, bucket: str, reach: int) -> Snapshot:
    return Snapshot("t", key, "rice", float(reach), rank, bucket, str(reach), {"reach": reach})


def test_movers_list_bucket_changes_then_biggest_rises_and_falls() -> None:
    from datetime import UTC, datetime

    from syncer.models import IssueRef, StatusCategory, TrackerIssue

    at = datetime(2026, 11, 1, tzinfo=UTC)
    before = {f"K-{n}": _snap(f"K-{n}", n, "Now" if n <= 3 else "Later", 100 - n) for n in range(1, 31)}
    now = dict(before)
    now["K-1"] = _snap("K-1", 30, "Later", 1)  # falls 29 places, leaves Now
    now["K-25"] = _snap("K-25", 2, "Now", 99)  # rises 23 places, enters Now
    now["K-10"] = _snap("K-10", 5, "Later", 95)  # rises 5
    history = {k: [HistoryRow(s, at, at, 1)] for k, s in before.items()}
    moved = moves(list(now.values()), history)
    issues = {IssueRef("t", k): TrackerIssue("t", k, k, "", k, "Backlog", StatusCategory.TODO, at, at) for k in now}

    movers = select_movers(moved, issues, each_way=2)

    assert [(m.key, m.rank_from, m.rank_to) for m in movers] == [
        ("K-25", 25, 2),  # bucket change into Now first
        ("K-1", 1, 30),  # bucket change out of Now
        ("K-10", 10, 5),  # then the biggest rise not yet listed
    ]
    assert movers[0].cause == "reach 75 -> 99" and movers[1].delta == -29


def test_the_stored_snapshot_keeps_only_the_moves_the_report_shows(write_config, tmp_path: Path) -> None:
    """With rank churn nearly every issue moves; report-data.json keeps the ones `select_movers` picks, and
    picking again from those gives the same list."""
    backlog = tmp_path / "backlog.json"
    _backlog(backlog, 60)
    config = str(write_config(backlog=backlog))
    assert CliRunner().invoke(main, ["run", "--config", config]).exit_code == 0
    data = json.loads(backlog.read_text())
    next(i for i in data["issues"] if i["key"] == "T-60")["fields"]["Reach"] = 1050
    backlog.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["run", "--config", config, "--json"])
    everything = json.loads(result.stdout)["moved"]
    assert len(everything) == 50  # T-60 and the 49 it fell past (the summary lists at most 50)

    stored = json.loads((Path(f"{backlog}.work") / "reports" / "report-data.json").read_text())
    [section] = stored["trackers"].values()
    kept = section["moved"]
    assert 0 < len(kept) <= 30 and len(kept) < len(everything)
    assert kept[0]["key"] in {m["key"] for m in everything}
    from syncer.report import snapshot

    run = snapshot.load(Path(f"{backlog}.work") / "reports")[section["name"]].run(Path(f"{backlog}.work") / "reports")
    issues = {i.ref: i for i in run.issues}
    assert select_movers(kept, issues) == select_movers(everything, issues)


def test_moves_kept_slice_by_slice_give_the_same_summary_and_movers_as_all_of_them() -> None:
    """A run keeps only the moves the summary and the report read (with rank churn nearly every issue moves: a
    dict per issue held to the end of the run); kept a slice at a time, they are exactly what all of them give."""
    rng = random.Random(13)
    buckets = ("Now", "Next", "Later", None)
    everything: list[dict[str, Any]] = []
    for n in range(3000):
        before, after = rng.choice([None, *range(1, 400)]), rng.choice([None, *range(1, 400)])
        everything.append(
            {"tracker": "t", "key": f"T-{n}", "rank_from": before, "rank_to": after,
             "bucket_from": rng.choice(buckets), "bucket_to": rng.choice(buckets),
             "score_from": 1.0, "score_to": 2.0, "cause": ""}
        )  # fmt: skip
    kept: list[dict[str, Any]] = []
    for start in range(0, len(everything), 250):
        kept = kept_moves([*kept, *everything[start : start + 250]])
    assert len(kept) < 100
    assert kept[:SUMMARY_MOVES] == sorted_moves(everything)[:SUMMARY_MOVES]
    issues = {
        IssueRef("t", f"T-{n}"): TrackerIssue(
            "t", f"T-{n}", str(n), f"https://t.test/T-{n}", f"title {n}", "Backlog", StatusCategory.TODO, NOW, NOW
        )
        for n in range(3000)
    }
    assert select_movers(kept, issues) == select_movers(everything, issues)
    assert len(select_movers(everything, issues)) > 20
