"""The Linear sandbox fails where Linear fails, on its own reading of Linear's rules (issue 11):
its own complexity count, every non-null field answered or the query refused by name, durations in date
filters, request errors as request errors, `sort` refused rather than ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLObjectType,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)

from connectors.linear.complexity import estimate_complexity
from connectors.linear.sandbox import DEMO_API_KEY, synthetic
from connectors.linear.sandbox.app import linear_schema
from connectors.linear.sandbox.complexity import query_complexity
from connectors.linear.sandbox.store import iso
from syncer.pipeline import run_sync
from tests.linear.conftest import linear_settings


def _post(url: str, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> httpx.Response:
    body = {"query": query, "variables": variables or {}, **extra}
    return httpx.post(url, json=body, headers={"Authorization": DEMO_API_KEY})


# ----- complexity ---------------------------------------------------------------------------------------------


def test_sandbox_counts_linears_documented_example_on_its_own() -> None:
    schema = linear_schema()
    assert query_complexity(schema, parse("{ issues { nodes { id title createdAt } } }")) == 66
    assert query_complexity(schema, parse("{ issues(first: 10) { nodes { id title createdAt } } }")) == 14


def test_sandbox_multiplies_everything_inside_a_connection_pageinfo_included() -> None:
    # The documented rule multiplies a connection's children; pageInfo is one of them.
    query = "{ issues(first: 10) { pageInfo { hasNextPage endCursor } nodes { id } } }"
    assert query_complexity(linear_schema(), parse(query)) == 1 + 10 * ((1 + 0.2) + (1 + 0.1))


def test_the_connectors_estimate_never_falls_below_the_sandboxs_for_any_query_it_sends(
    start_sandbox: Any, tmp_path: Path
) -> None:
    ws = synthetic(80)
    sandbox = start_sandbox(ws)
    settings = linear_settings(
        sandbox.url,
        tmp_path,
        outputs={"attachment": True, "comment": True, "bucket_label_group": "Priority bucket"},
    )
    run = run_sync(settings).trackers[0]
    assert run.error is None and run.applied is not None and not run.applied.failures
    charged = sandbox.app.charged
    assert {c.operation_name for c in charged} >= {"SyncerTeams", "SyncerLabels", "SyncerIssues"}
    assert any(c.operation_name == "SyncerCreateComment" for c in charged)
    for call in charged:
        document = parse(call.query)
        assert [e.message for e in validate(linear_schema(), document)] == [], call.operation_name
        estimate = estimate_complexity(document, call.variables, call.operation_name)
        assert estimate >= call.complexity, (call.operation_name, estimate, call.complexity)


# ----- every non-null field answered, or the query refused by name ----------------------------------------------


def _every_property(type_name: str) -> str:
    type_ = linear_schema().get_type(type_name)
    assert isinstance(type_, GraphQLObjectType)
    return " ".join(
        name for name, field in type_.fields.items() if is_leaf_type(get_named_type(field.type)) and not field.args
    )


ROOTS = {
    "User": "users",
    "Team": "teams",
    "WorkflowState": "workflowStates",
    "IssueLabel": "issueLabels",
    "Issue": "issues",
    "Comment": "comments",
}


@pytest.mark.parametrize("type_name", sorted(ROOTS))
def test_every_property_of_a_served_type_has_a_value_where_the_schema_demands_one(
    start_sandbox: Any, type_name: str
) -> None:
    ws = synthetic(4)
    sandbox = start_sandbox(ws)
    issue = next(iter(ws.issues.values()))
    mutation = "mutation($i: CommentCreateInput!) { commentCreate(input: $i) { success } }"
    assert _post(sandbox.url, mutation, {"i": {"issueId": issue["id"], "body": "hello"}}).status_code == 200
    answer = _post(sandbox.url, f"{{ {ROOTS[type_name]}(first: 5) {{ nodes {{ {_every_property(type_name)} }} }} }}")
    assert answer.json().get("errors") is None
    assert answer.status_code == 200
    assert answer.json()["data"][ROOTS[type_name]]["nodes"]


def test_every_property_of_an_attachment_has_a_value(start_sandbox: Any) -> None:
    ws = synthetic(2)
    sandbox = start_sandbox(ws)
    issue = next(iter(ws.issues.values()))
    create = "mutation($i: AttachmentCreateInput!) { attachmentCreate(input: $i) { attachment { id } } }"
    made = _post(sandbox.url, create, {"i": {"issueId": issue["id"], "title": "t", "url": "https://x/1"}}).json()
    attachment_id = made["data"]["attachmentCreate"]["attachment"]["id"]
    answer = _post(sandbox.url, f'{{ attachment(id: "{attachment_id}") {{ {_every_property("Attachment")} }} }}')
    assert answer.json().get("errors") is None
    assert answer.json()["data"]["attachment"]["id"] == attachment_id


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ issues { nodes { id history { nodes { id } } } } }", "Issue.history"),
        ("{ viewer { id organization { id } } }", "User.organization"),
        ("{ cycles { nodes { id } } }", "Query.cycles"),
        ('{ searchIssues(term: "x") { nodes { id } } }', "Query.searchIssues"),
        ("{ issues(sort: [{ priority: { order: Descending } }]) { nodes { id } } }", "`sort` argument of Query.issues"),
    ],
)
def test_what_the_sandbox_does_not_implement_is_refused_by_name(start_sandbox: Any, query: str, field: str) -> None:
    sandbox = start_sandbox(synthetic(3))
    answer = _post(sandbox.url, query)
    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert field in error["message"]
    assert error["extensions"]["code"] == "SANDBOX_NOT_IMPLEMENTED"
    assert "Cannot return null" not in answer.text
    assert sandbox.operations == []


def test_a_nullable_relation_to_something_the_sandbox_has_none_of_is_null(start_sandbox: Any) -> None:
    sandbox = start_sandbox(synthetic(3))
    answer = _post(sandbox.url, "{ issues(first: 2) { nodes { id cycle { id number } project { id } } } }").json()
    assert answer.get("errors") is None
    assert all(n["cycle"] is None and n["project"] is None for n in answer["data"]["issues"]["nodes"])


# ----- filters --------------------------------------------------------------------------------------------------


def test_a_relative_duration_in_a_date_filter_means_that_long_ago(start_sandbox: Any) -> None:
    ws = synthetic(6)
    now = datetime.now(UTC)
    ages = [1, 3, 10, 20, 40, 60]
    for issue, days in zip(ws.issues.values(), ages, strict=True):
        issue["createdAt"] = iso(now - timedelta(days=days))
    sandbox = start_sandbox(ws)
    query = "query($f: IssueFilter) { issues(filter: $f) { nodes { id } } }"
    recent = _post(sandbox.url, query, {"f": {"createdAt": {"gt": "-P2W"}}}).json()
    assert recent.get("errors") is None
    assert len(recent["data"]["issues"]["nodes"]) == 3
    older = _post(sandbox.url, query, {"f": {"createdAt": {"lt": "-P2W5D"}}}).json()
    assert len(older["data"]["issues"]["nodes"]) == 3


def test_a_date_filter_that_is_neither_a_date_nor_a_duration_is_an_input_error(start_sandbox: Any) -> None:
    sandbox = start_sandbox(synthetic(2))
    query = "query($f: IssueFilter) { issues(filter: $f) { nodes { id } } }"
    answer = _post(sandbox.url, query, {"f": {"createdAt": {"gt": "last tuesday"}}}).json()
    (error,) = answer["errors"]
    assert error["extensions"]["type"] == "invalid input"
    assert "last tuesday" in error["message"] and "TypeError" not in error["message"]


# ----- request errors -------------------------------------------------------------------------------------------


def test_a_variable_of_the_wrong_type_is_a_request_error_not_an_internal_one(start_sandbox: Any) -> None:
    sandbox = start_sandbox(synthetic(2))
    answer = _post(sandbox.url, "query($n: Int!) { issues(first: $n) { nodes { id } } }", {"n": "ten"})
    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert "$n" in error["message"]
    assert error["extensions"]["statusCode"] == 400
    assert error["extensions"]["type"] != "internal error"


def test_two_operations_without_an_operation_name_is_a_request_error(start_sandbox: Any) -> None:
    sandbox = start_sandbox(synthetic(2))
    document = "query A { viewer { id } } query B { teams { nodes { id } } }"
    answer = _post(sandbox.url, document)
    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert error["message"] == "Must provide operation name if query contains multiple operations."
    assert error["extensions"]["statusCode"] == 400
    chosen = _post(sandbox.url, document, operationName="B")
    assert chosen.status_code == 200
    assert chosen.json()["data"]["teams"]["nodes"]
