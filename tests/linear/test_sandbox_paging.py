"""Paging costs each page its own size: a listing is filtered and ordered once, cursors are found by index, and
a change through the API (or a new first page) makes the next page see the current workspace."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.linear.sandbox import DEMO_API_KEY, resolvers, synthetic

QUERY = """query P($a: String, $b: String, $last: Int, $first: Int) {
  issues(first: $first, after: $a, last: $last, before: $b, orderBy: updatedAt,
         filter: { state: { type: { nin: ["completed", "canceled"] } } }) {
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor } nodes { id updatedAt }
  }
}"""
CARD = """mutation C($input: AttachmentCreateInput!) { attachmentCreate(input: $input) { success } }"""


def _post(url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(url, json={"query": query, "variables": variables}, headers={"Authorization": DEMO_API_KEY})
    data: dict[str, Any] = answer.json()
    return data


@pytest.fixture
def filter_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many records the issue filter was evaluated on (one list element per call)."""
    calls: list[int] = []
    real = resolvers.matches

    def counting(ws: Any, type_name: str, record: Any, spec: Any) -> bool:
        if type_name == "Issue":
            calls.append(1)
        return real(ws, type_name, record, spec)

    monkeypatch.setattr(resolvers, "matches", counting)
    return calls


def _walk(url: str, size: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = _post(url, QUERY, {"a": after, "first": size})["data"]["issues"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


def test_paging_through_a_listing_filters_it_once_not_once_per_page(
    start_sandbox: Any, filter_calls: list[int]
) -> None:
    ws = synthetic(600)
    sandbox = start_sandbox(ws)
    open_ids = {i for i, r in ws.issues.items() if ws.states[r["stateId"]]["type"] not in ("completed", "canceled")}
    seen = _walk(sandbox.url, 50)
    assert len(seen) == len(set(seen)) and set(seen) == open_ids
    assert len(seen) > 500  # 11+ pages
    assert len(filter_calls) == len(ws.issues)  # the first page's filter; the other pages came from the listing


def test_a_change_through_the_api_between_pages_is_seen_by_the_next_page(
    start_sandbox: Any, filter_calls: list[int]
) -> None:
    ws = synthetic(30)
    sandbox = start_sandbox(ws)
    first = _post(sandbox.url, QUERY, {"first": 5})["data"]["issues"]
    moved = first["nodes"][0]["id"]  # the least recently updated open issue
    card = {"issueId": moved, "url": "https://example.com/card", "title": "card"}
    assert _post(sandbox.url, CARD, {"input": card})["data"]["attachmentCreate"]["success"]
    calls = len(filter_calls)
    rest = []
    after = first["pageInfo"]["endCursor"]
    while after is not None:
        page = _post(sandbox.url, QUERY, {"a": after, "first": 10})["data"]["issues"]
        rest += [n["id"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert len(filter_calls) > calls  # listed again after the change
    assert rest[-1] == moved  # updated last, so it now comes last


def test_a_new_first_page_sees_records_edited_in_place(start_sandbox: Any) -> None:
    ws = synthetic(20)
    sandbox = start_sandbox(ws)
    before = _walk(sandbox.url, 4)
    with ws.lock:
        ws.issues[before[0]]["updatedAt"] = "2999-01-01T00:00:00.000Z"  # as a test edits the workspace directly
    after = _walk(sandbox.url, 4)
    assert after == before[1:] + before[:1]


def test_last_and_before_page_backwards(start_sandbox: Any) -> None:
    ws = synthetic(20)
    sandbox = start_sandbox(ws)
    forward = _walk(sandbox.url, 100)
    cursor = _post(sandbox.url, QUERY, {"first": 100})["data"]["issues"]["pageInfo"]["endCursor"]
    page = _post(sandbox.url, QUERY, {"b": cursor, "last": 3})["data"]["issues"]
    assert [n["id"] for n in page["nodes"]] == forward[-4:-1]
    assert page["pageInfo"]["hasPreviousPage"] and page["pageInfo"]["hasNextPage"]
    unknown = _post(sandbox.url, QUERY, {"a": "bm90LWFuLWlk", "first": 3})  # "not-an-id"
    assert "does not point to an entity" in unknown["errors"][0]["message"]
