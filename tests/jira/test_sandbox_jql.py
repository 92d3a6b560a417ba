"""The sandbox reads JQL as Jira does: what Jira accepts runs, what Jira refuses is a 400 with Jira's message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.jira.sandbox import jql, seed
from connectors.jira.sandbox.state import Comment, JiraState, jira_time

from .conftest import EMAIL, TOKEN


def _state() -> JiraState:
    state = seed.synthetic(12, mode="cloud")
    now = datetime.now(UTC)
    for n, issue in enumerate(state.issues, start=1):
        issue.created = jira_time(now - timedelta(days=10 * n))  # ACME-1 10 days old ... ACME-12 120 days
        issue.values[seed.SCORE] = None if n % 3 == 0 else float(n * 10)
    state.issues[0].summary = "Sandboxes that fail where the real services fail"
    state.issues[1].labels = ["backend", "Urgent"]
    state.issues[2].status = "10003"
    state.issues[3].comments.append(Comment("1", "Ana", "mentions the sandbox", jira_time(), jira_time()))
    return state


@pytest.fixture
def search(serve) -> Any:
    _sandbox, server = serve(_state())
    session = requests.Session()
    session.auth = (EMAIL, TOKEN)

    def run(query: str) -> requests.Response:
        body = {"jql": query, "fields": ["summary"], "maxResults": 100}
        return session.post(f"{server.url}/rest/api/3/search/jql", json=body, timeout=5)

    return run


def _keys(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [i["key"] for i in response.json()["issues"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("status = Nonexistent", "The value 'Nonexistent' does not exist for the field 'status'."),
        (
            'project = ACME AND "Priority Bucket" = Soon',
            "The value 'Soon' does not exist for the field 'Priority Bucket'.",
        ),
        ("Reech > 3", "Field 'Reech' does not exist or you do not have permission to view it."),
        ("cf[99999] > 3", "Field 'cf[99999]' does not exist or you do not have permission to view it."),
        ("status ~ Done", "The operator '~' is not supported by the 'status' field."),
        ("summary = x", "The operator '=' is not supported by the 'summary' field."),
        ("created > yesterday", "Date value 'yesterday' for field 'created' is invalid."),
        ("key = ACME-999", "An issue with key 'ACME-999' does not exist for field 'key'."),
        ("assignee = nobody-here", "The value 'nobody-here' does not exist for the field 'assignee'."),
        ("project = ACME AND", "Error in the JQL Query: Expecting more input at the end of the query."),
        ("project = ACME ORDER BY labels", "Field 'labels' does not support sorting."),
        ("assignee in fooBar()", "Unable to find JQL function 'fooBar()'."),
    ],
)
def test_what_jira_refuses_is_a_400_with_jiras_message_never_an_empty_page(search, query: str, message: str) -> None:
    response = search(query)
    assert response.status_code == 400
    assert any(m.startswith(message) for m in response.json()["errorMessages"]), response.json()


def test_every_problem_in_one_query_is_reported_at_once(search) -> None:
    response = search("project = NOPE AND status = Nonexistent")
    assert response.json()["errorMessages"] == [
        "The value 'NOPE' does not exist for the field 'project'.",
        "The value 'Nonexistent' does not exist for the field 'status'.",
    ]


def test_or_not_and_parentheses(search) -> None:
    assert _keys(search("key = ACME-1 OR key = ACME-2")) == ["ACME-1", "ACME-2"]
    assert _keys(search("project = ACME AND (key = ACME-1 || labels = urgent)")) == ["ACME-1", "ACME-2"]
    assert "ACME-3" not in _keys(search("project = ACME AND NOT status = Done"))
    assert "ACME-3" not in _keys(search("project = ACME AND status != Done"))


def test_text_search_with_tilde(search) -> None:
    assert _keys(search('summary ~ "real services"')) == ["ACME-1"]
    assert _keys(search("summary ~ sandbox*")) == ["ACME-1"]
    assert _keys(search('text ~ "sandbox"')) == ["ACME-1", "ACME-4"]
    assert "ACME-1" not in _keys(search('project = ACME AND summary !~ "sandboxes"'))


def test_custom_fields_by_cf_id_and_by_quoted_name(search) -> None:
    # RICE Score = 10 n, empty on every third issue
    assert _keys(search("cf[10020] > 100")) == ["ACME-11"]
    assert _keys(search('"RICE Score" is EMPTY')) == ["ACME-3", "ACME-6", "ACME-9", "ACME-12"]
    assert len(_keys(search('project = ACME AND "RICE Score" is not EMPTY'))) == 8
    assert _keys(search('"rice score" >= 100 OR cf[10020] = 10')) == ["ACME-1", "ACME-10", "ACME-11"]


def test_relative_dates_and_date_functions(search) -> None:
    assert _keys(search("created >= -35d")) == ["ACME-1", "ACME-2", "ACME-3"]
    assert _keys(search('created >= "-5w"')) == ["ACME-1", "ACME-2", "ACME-3"]
    assert len(_keys(search("created < startOfDay(-100)"))) == 2
    assert _keys(search("project = ACME AND created > -1w")) == []


def test_order_by_several_fields_and_directions(search) -> None:
    assert _keys(search("project = ACME ORDER BY created ASC"))[:2] == ["ACME-12", "ACME-11"]
    by_score = _keys(search('project = ACME ORDER BY "RICE Score" DESC, key ASC'))
    assert by_score[:4] == ["ACME-3", "ACME-6", "ACME-9", "ACME-12"]  # EMPTY counts as largest
    assert by_score[4:6] == ["ACME-11", "ACME-10"]


def test_resolution_is_derived_from_the_status_category(search) -> None:
    unresolved = _keys(search("project = ACME AND resolution = Unresolved"))
    done = _keys(search("resolution = Done"))
    assert "ACME-3" in done and "ACME-3" not in unresolved and len(unresolved) + len(done) == 12
    assert done == _keys(search("resolution is not EMPTY")) == _keys(search("statusCategory = Done"))


def test_labels_users_and_functions(search) -> None:
    assert _keys(search("labels in (URGENT, nothing)")) == ["ACME-2"]
    assert "ACME-2" not in _keys(search("project = ACME AND labels is EMPTY"))
    assert _keys(search("assignee = currentUser()")) == []
    assert _keys(search("issuetype in subTaskIssueTypes()")) == []


def test_history_searches_on_status(serve) -> None:
    state = seed.synthetic(30, mode="cloud")
    moved = [i.key for i in state.issues if i.history]
    compiled = jql.parse(state, 'status WAS "Backlog" AND status CHANGED', bounded=True)
    assert [i.key for i in jql.run(state, compiled)] == moved


def test_a_field_jira_has_but_the_sandbox_does_not_model_says_so() -> None:
    with pytest.raises(jql.JqlError, match="does not model the field 'sprint'"):
        jql.parse(seed.synthetic(1), "sprint in openSprints()", bounded=True)


def test_data_center_validate_query_warn_turns_missing_values_into_warnings(serve) -> None:
    _sandbox, server = serve(seed.synthetic(3, mode="datacenter"))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    url = f"{server.url}/rest/api/2/search"
    strict = session.get(url, params={"jql": "status = Nonexistent"}, timeout=5)
    assert strict.status_code == 400
    warn = session.get(url, params={"jql": "status = Nonexistent", "validateQuery": "warn"}, timeout=5)
    assert warn.status_code == 200 and warn.json()["total"] == 0
    assert warn.json()["warningMessages"] == ["The value 'Nonexistent' does not exist for the field 'status'."]


_PIECES = [
    *"abcXYZ019 -_\"'()=!<>~,&|[]*.",
    *("AND ", "OR ", "NOT ", "in ", "is ", "EMPTY", "order by ", "was ", "changed ", "from ", "to ", "during "),
    *("status", "project", "cf[10020]", '"RICE Score"', "created", "-30d", "startOfDay(", "currentUser()", "key"),
    *("labels", "summary", "ACME-1", "Done", "asc", "desc", "resolution", "Unresolved", "priority", "assignee"),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_any_text_is_either_a_query_or_a_jql_error_never_a_crash(text: str) -> None:
    state = _FUZZ_STATE
    messages: list[str] = []
    try:
        jql.run(state, jql.parse(state, text, bounded=False))
    except jql.JqlError as exc:  # Jira's 400: it must say something
        messages = exc.messages or [""]
    assert all(isinstance(m, str) and m for m in messages)


_FUZZ_STATE = seed.synthetic(20)
