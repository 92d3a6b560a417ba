"""The Linear sandbox answers like Linear: schema validation, page and complexity limits, headers, upserts,
fault injection, and a saved state that makes the demo's second run write nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from connectors.linear.sandbox import DEMO_API_KEY, LINEAR_FAULT_KINDS, Workspace, start_demo_sandbox, synthetic
from connectors.linear.sandbox.seed import demo_backlog
from connectors.sandbox_http import FaultConfig
from syncer.pipeline import run_sync
from syncer.settings import SyncSettings
from tests.linear.conftest import linear_settings

DEMO_BACKLOG = Path(__file__).resolve().parents[2] / "config" / "demo-backlog.json"
DEMO_INPUTS = {
    "reach": "description:Reach",
    "impact": "label:Impact",
    "confidence": "label:Confidence",
    "effort": "estimate",
}


def _post(url: str, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(url, json={"query": query, "variables": variables or {}}, headers={"Authorization": DEMO_API_KEY})


def test_pages_walk_every_issue_once_and_refuse_more_than_250(start_sandbox: Any) -> None:
    ws = synthetic(120)
    sandbox = start_sandbox(ws)
    query = "query P($a: String) { issues(first: 50, after: $a) { pageInfo { hasNextPage endCursor } nodes { id } } }"
    seen: list[str] = []
    after = None
    while True:
        page = _post(sandbox.url, query, {"a": after}).json()["data"]["issues"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(ws.issues)
    answer = _post(sandbox.url, "{ issues(first: 251) { nodes { id } } }").json()
    assert "between 0 and 250" in answer["errors"][0]["message"]


def test_a_query_over_10000_points_is_refused_before_it_runs(start_sandbox: Any) -> None:
    sandbox = start_sandbox(synthetic(3))
    query = "{ issues(first: 250) { nodes { id labels(first: 250) { nodes { id name } } } } }"
    answer = _post(sandbox.url, query)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"].startswith("Query too complex")
    assert sandbox.operations == []


def test_answers_carry_complexity_and_budget_headers(start_sandbox: Any) -> None:
    sandbox = start_sandbox(synthetic(3))
    answer = _post(sandbox.url, "{ issues(first: 10) { nodes { id title createdAt } } }")
    assert answer.headers["X-Complexity"] == "14"
    assert answer.headers["X-RateLimit-Requests-Remaining"] == "2499"
    assert int(answer.headers["X-RateLimit-Complexity-Reset"]) > 1e12  # epoch milliseconds


def test_a_field_linear_does_not_have_is_a_validation_error(start_sandbox: Any) -> None:
    sandbox = start_sandbox(synthetic(3))
    answer = _post(sandbox.url, "{ issues { nodes { id riceScore } } }")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Cannot query field 'riceScore' on type 'Issue'."


def test_attachment_create_on_the_same_url_updates_the_card(start_sandbox: Any) -> None:
    ws = synthetic(3)
    sandbox = start_sandbox(ws)
    issue = next(iter(ws.issues))
    mutation = "mutation U($i: AttachmentCreateInput!) { attachmentCreate(input: $i) { attachment { id title } } }"
    card = {"issueId": issue, "url": "https://x/1", "title": "one", "metadata": {"score": 1}}
    first = _post(sandbox.url, mutation, {"i": card}).json()["data"]["attachmentCreate"]["attachment"]
    second = _post(sandbox.url, mutation, {"i": {**card, "title": "two"}}).json()["data"]["attachmentCreate"]
    assert second["attachment"] == {"id": first["id"], "title": "two"}
    nested = _post(sandbox.url, mutation, {"i": {**card, "metadata": {"score": {"v": 1}}}}).json()
    assert "only string and number values" in nested["errors"][0]["message"]


def test_sync_completes_through_5xx_and_dropped_connections(start_sandbox: Any, tmp_path: Path) -> None:
    ws = synthetic(80)
    faults = FaultConfig(rate=0.15, seed=7, kinds=(*LINEAR_FAULT_KINDS, "drop_after"), delay=0.01)
    sandbox = start_sandbox(ws, faults=faults)
    http = {"timeout": 2, "write_concurrency": 1, "max_attempts": 8}  # reproducible fault sequence
    run = run_sync(linear_settings(sandbox.url, tmp_path, http=http)).trackers[0]
    assert run.error is None and run.applied is not None and not run.applied.failures
    assert any(r.fault for r in sandbox.requests)
    assert all(len(i["attachmentIds"]) <= 1 for i in ws.issues.values())  # retried upserts never duplicate
    sandbox.faults = FaultConfig()
    sandbox.reset_log()
    assert run_sync(linear_settings(sandbox.url, tmp_path)).trackers[0].plan.writes == ()  # type: ignore[union-attr]


def _demo_settings(url: str, tmp_path: Path) -> SyncSettings:
    return linear_settings(
        url,
        tmp_path,
        teams=["ENG", "DES", "DATA"],
        inputs=DEMO_INPUTS,
        outputs={"attachment": True, "comment": True, "bucket_label_group": "Priority bucket"},
    )


def test_demo_sandbox_keeps_its_state_so_the_second_run_writes_nothing(tmp_path: Path) -> None:
    with start_demo_sandbox(tmp_path / "state") as url:
        first = run_sync(_demo_settings(url, tmp_path)).trackers[0]
    assert first.error is None and first.applied is not None and first.applied.issues_written > 100
    saved = json.loads((tmp_path / "state" / "linear-state.json").read_text())
    assert len(saved["attachments"]) == sum(1 for r in first.results.values() if r.scored)
    with start_demo_sandbox(tmp_path / "state") as url:
        second = run_sync(_demo_settings(url, tmp_path)).trackers[0]
    assert second.plan is not None and second.plan.writes == ()


def test_demo_backlog_inputs_survive_the_move_to_linear_idioms(tmp_path: Path) -> None:
    backlog = json.loads(DEMO_BACKLOG.read_text())["issues"]
    ws = demo_backlog(DEMO_BACKLOG)
    assert len(ws.issues) == len(backlog)
    assert {t["key"] for t in ws.teams.values()} == {i["team"] for i in backlog}
    numbers: dict[str, int] = {}
    for item in backlog:
        numbers[item["team"]] = numbers.get(item["team"], 0) + 1
        record = ws.find_issue(f"{item['team']}-{numbers[item['team']]}")
        assert record is not None and record["title"] == item["title"]
        assert ws.states[record["stateId"]]["name"] == item["status"]
        labels = {ws.labels[i]["name"].casefold() for i in record["labelIds"]}
        for field in ("Impact", "Confidence"):
            value = item["fields"].get(field)
            if value is not None:
                assert str(value).strip().casefold() in labels
        if item["fields"].get("Reach") is not None:
            assert f"Reach: {item['fields']['Reach']}" in record["description"]


def test_saved_state_loads_back_identical(tmp_path: Path) -> None:
    ws = synthetic(10)
    ws.save(tmp_path / "s.json")
    assert Workspace.load(tmp_path / "s.json").to_json() == ws.to_json()
