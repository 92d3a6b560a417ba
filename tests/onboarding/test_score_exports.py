"""`syncer score` on what people export: Jira's and Linear's CSV exports and plain files, and its mapping rules.

The samples under examples/ are the same 18 issues as examples/backlog.json; the sandboxes seeded from that file
are "the tracker the export came from", so a run over them must give the scores `score` gives on the export.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from connectors.jira.sandbox import DEMO_EMAIL, DEMO_TOKEN, JiraSandbox, seed
from connectors.linear.sandbox import DEMO_API_KEY, LinearSandbox
from connectors.linear.sandbox.seed import demo_backlog
from syncer.backlog_file import parse_export_time, read_backlog
from syncer.cli import main
from syncer.demo.samples import render_all
from syncer.exitcodes import ExitCode
from syncer.pipeline import run_sync
from syncer.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
BACKLOG = EXAMPLES / "backlog.json"

CONFIG = """
[[trackers]]
name = "local"
kind = "local"
path = "{backlog}"
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Effort"

[[trackers]]
name = "jira"
kind = "jira"
url = "{jira}"
email = "{email}"
token = "{jira_token}"
jql = "project = ACME AND statusCategory != Done"
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Story Points"

[[trackers]]
name = "linear"
kind = "linear"
url = "{linear}"
token = "{linear_token}"
teams = ["ENG", "DES"]
[trackers.inputs]
reach = "description:Reach"
impact = "label:Impact"
confidence = "label:Confidence"
effort = "estimate"
[trackers.outputs]
attachment = true
comment = false
"""


@pytest.fixture(scope="module")
def trackers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A config whose three trackers hold examples/backlog.json: the file itself, a Jira and a Linear sandbox."""
    state = seed.from_demo_backlog(BACKLOG)
    state.account.email, state.account.token = DEMO_EMAIL, DEMO_TOKEN
    jira = JiraSandbox(state)
    with jira.serve() as server, LinearSandbox(demo_backlog(BACKLOG)) as linear:
        path = tmp_path_factory.mktemp("cfg") / "syncer.toml"
        path.write_text(
            CONFIG.format(
                backlog=BACKLOG,
                jira=server.url,
                email=DEMO_EMAIL,
                jira_token=DEMO_TOKEN,
                linear=linear.url,
                linear_token=DEMO_API_KEY,
            ),
            encoding="utf-8",
        )
        yield path


def score(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["score", *(str(a) for a in args)])


def scores_of(result: Result) -> dict[str, tuple[Any, ...]]:
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return {r["key"]: (r["status"], r["score"], r["rank"], r["bucket"]) for r in rows}


def run_scores(config: Path, tracker: str) -> dict[str, tuple[Any, ...]]:
    report = run_sync(load_settings(config), only=[tracker], dry_run=True)
    [run] = report.trackers
    assert run.error is None, run.error
    return {r.ref.key: (str(r.status), r.score, r.rank, r.bucket) for r in run.results.values()}


@pytest.mark.parametrize(
    ("export", "tracker"),
    [("jira-export.csv", "jira"), ("linear-export.csv", "linear"), ("backlog.json", "local"), ("backlog.csv", "local")],
)
def test_scoring_an_export_gives_the_scores_of_a_run_over_the_same_issues(
    trackers: Path, export: str, tracker: str
) -> None:
    expected = run_scores(trackers, tracker)
    assert len(expected) == 18 and sum(1 for v in expected.values() if v[0] == "scored") == 12
    # Recognised column names alone, and the tracker's own [trackers.inputs], both give the run's scores.
    assert scores_of(score(EXAMPLES / export, "--format", "json")) == expected
    configured = score(EXAMPLES / export, "--config", trackers, "--tracker", tracker, "--format", "json")
    assert scores_of(configured) == expected


def test_the_shipped_demo_backlog_scores_with_the_demo_config() -> None:
    # Before: the tracker's [trackers.inputs] was ignored and all 220 issues "needed input" (exit 0).
    result = score(REPO / "config" / "demo-backlog.json", "--config", REPO / "config" / "demo.toml", "--format", "json")
    statuses = [status for status, *_ in scores_of(result).values()]
    assert len(statuses) == 220 and statuses.count("scored") > 180


def test_jira_export_before_any_renaming() -> None:
    # Before: "no 'key' column (columns: summary, issue_key, ...)", then "repeated column(s): sprint".
    backlog = read_backlog(EXAMPLES / "jira-export.csv")
    assert (backlog.flavour, backlog.key_column, backlog.summary_column) == ("jira", "Issue key", "Summary")
    assert backlog.repeated == {"Labels": 2, "Watchers": 2, "Sprint": 2, "Comment": 2}
    first = backlog.rows[0]
    assert first.key == "ACME-1" and first.values["Created"] == "2026-08-06T06:48:00"
    assert "see the\nlinked notes" in str(first.values["Comment"])
    assert backlog.find("Story Points") == "Custom field (Story Points)"


def test_repeated_columns_merge_and_two_different_values_need_input(tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text(
        "Issue key,Summary,Labels,Labels,Custom field (Reach),Custom field (Reach),Custom field (Impact (RICE)),"
        "Custom field (Confidence),Custom field (Story Points)\n"
        "A-1,One,a,b,100,100,High,80%,2\n"
        "A-2,Two,,,100,200,High,80%,2\n",
        encoding="utf-8",
    )
    rows = {r["key"]: r for r in map(json.loads, score(path, "--format", "json").stdout.splitlines())}
    assert rows["A-1"]["score"] == pytest.approx(80.0)
    assert rows["A-2"]["status"] == "needs_input" and "'100, 200'" in rows["A-2"]["problems"][0]["message"]
    assert read_backlog(path).rows[0].labels == ("a", "b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/Nov/26 2:37 PM", "2026-11-05T14:37:00"),
        ("05/Nov/26 12:05 AM", "2026-11-05T00:05:00"),
        ("05/Nov/2026 9:00 AM", "2026-11-05T09:00:00"),
        ("2026-11-05 14:37", "2026-11-05T14:37:00"),
        ("2026-11-05T14:37:00.000Z", "2026-11-05T14:37:00+00:00"),
        ("next week", None),
    ],
)
def test_export_dates(text: str, expected: str | None) -> None:
    parsed = parse_export_time(text)
    assert (parsed.isoformat() if parsed else None) == expected


def test_map_wins_over_the_config_which_wins_over_recognised_names(trackers: Path, tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("key,Reach,Effort,Size,impact,confidence\nP-1,100,1,4,1,100\n", encoding="utf-8")
    recognised = scores_of(score(path, "--format", "json"))
    assert recognised["P-1"][1] == 100.0  # effort from "Effort"
    config = tmp_path / "c.toml"
    config.write_text('[[trackers]]\nname = "t"\nkind = "local"\npath = "x.json"\n[trackers.inputs]\neffort = "Size"\n')
    assert scores_of(score(path, "--config", config, "--format", "json"))["P-1"][1] == 25.0
    flagged = score(path, "--config", config, "--map", "effort=Reach", "--format", "json")
    assert scores_of(flagged)["P-1"][1] == 1.0


def test_a_required_input_in_no_column_exits_2_naming_it_and_the_candidates(tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text(
        "\ufeffIssue key,Summary,Custom field (Reach),Custom field (Impact),Custom field (Confidence),"
        "Custom field (Story point estimate),Custom field (Effort points)\nA-1,x,1,1,100,2,3\n",
        encoding="utf-8",
    )
    assert score(path, "--format", "json").exit_code == 0  # effort from "Story point estimate"
    path.write_text(path.read_text().replace("Story point estimate", "Size (team)").replace("Reach", "Audience"))
    result = score(path)
    assert result.exit_code == ExitCode.CONFIG
    assert "no column for input 'reach'" in result.output and "--map reach=COLUMN" in result.output
    assert "candidates: Custom field (Audience)" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--map", "effort=Points"], "input 'effort' = 'Points' (--map): no such column"),
        (["--map", "effort=customfield_10016"], "not field ids: use the field's name"),
        (["--map", "impact=label:Impakt"], "no label in group 'Impakt' (label groups in the file: Impact, Confidence"),
        (["--map", "reach=customer_needs"], "an export has no count of customer needs"),
        (["--map", "urgency=Priority"], "the model has no input 'urgency' (its inputs: reach, impact"),
        (["--map", "effort"], "expected INPUT=COLUMN"),
        (["--tracker", "linear"], "--tracker needs --config"),
    ],
)
def test_mapping_errors_exit_2(args: list[str], expected: str) -> None:
    result = score(EXAMPLES / "linear-export.csv", *args)
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert expected in result.output


def test_unknown_tracker_names_the_trackers(trackers: Path) -> None:
    result = score(EXAMPLES / "jira-export.csv", "--config", trackers, "--tracker", "jria")
    assert result.exit_code == ExitCode.CONFIG
    assert "no tracker named 'jria' (trackers: local, jira, linear)" in result.output


def test_columns_lists_what_was_recognised() -> None:
    result = score(EXAMPLES / "linear-export.csv", "--columns")
    assert result.exit_code == 0, result.output
    assert "Linear CSV export, 18 issues" in result.output
    assert "impact      <- label:Impact  (recognised)" in result.output
    assert "effort      <- Estimate  (recognised)" in result.output
    assert "label groups (label:<Group>): Impact, Confidence" in result.output
    wsjf = score(EXAMPLES / "jira-export.csv", "--columns", "--model", "wsjf")
    assert "job_size  <- Custom field (Story Points)  (recognised)" in wsjf.output
    assert "business_value: NOT FOUND" in wsjf.output
    assert "repeated columns, merged: Labels (x2), Watchers (x2), Sprint (x2), Comment (x2)" in wsjf.output


def test_shipped_samples_are_current() -> None:
    for name, content in render_all().items():
        assert (EXAMPLES / name).read_bytes() == content.encode("utf-8"), f"run python -m syncer.demo.samples ({name})"
