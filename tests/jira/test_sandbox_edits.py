"""Issue edits, field metadata and comments answer as Jira does: applied or refused, never a silent 204."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from connectors.jira.sandbox import seed
from connectors.jira.sandbox.state import Comment, jira_time

from .conftest import EMAIL, TOKEN


@pytest.fixture
def jira(serve) -> Any:
    sandbox, server = serve(seed.synthetic(3, mode="cloud"))
    session = requests.Session()
    session.auth = (EMAIL, TOKEN)
    session.base = f"{server.url}/rest/api/3"  # type: ignore[attr-defined]
    session.sandbox = sandbox  # type: ignore[attr-defined]
    return session


def _fields(jira: Any, key: str = "ACME-1") -> dict[str, Any]:
    fields: dict[str, Any] = jira.get(f"{jira.base}/issue/{key}").json()["fields"]
    return fields


def test_summary_and_labels_in_fields_are_applied(jira) -> None:
    response = jira.put(f"{jira.base}/issue/ACME-1", json={"fields": {"summary": "Renamed", "labels": ["a", "b"]}})
    assert response.status_code == 204
    fields = _fields(jira)
    assert fields["summary"] == "Renamed" and fields["labels"] == ["a", "b"]


def test_update_operations_set_add_and_remove_are_applied(jira) -> None:
    jira.put(f"{jira.base}/issue/ACME-1", json={"fields": {"labels": ["keep", "drop"]}})
    response = jira.put(
        f"{jira.base}/issue/ACME-1",
        json={
            "update": {
                "labels": [{"add": "new"}, {"remove": "drop"}],
                "summary": [{"set": "Via update"}],
                seed.SCORE: [{"set": 42.5}],
            }
        },
    )
    assert response.status_code == 204
    fields = _fields(jira)
    assert fields["labels"] == ["keep", "new"]
    assert fields["summary"] == "Via update" and fields[seed.SCORE] == 42.5


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"fields": {"summary": ""}}, "summary", "You must specify a summary of the issue."),
        ({"fields": {"labels": ["two words"]}}, "labels", "The label 'two words' contains spaces which is invalid."),
        ({"update": {seed.SCORE: [{"add": 1}]}}, seed.SCORE, "does not support operation 'add'"),
        ({"fields": {"labels": ["x"]}, "update": {"labels": [{"add": "y"}]}}, "labels", "not both"),
        ({"fields": {"status": {"id": "3"}}}, "status", "cannot be set"),
        ({"fields": {"summary": "ok", seed.SCORE: "high"}}, seed.SCORE, "must be a number"),
    ],
)
def test_what_jira_refuses_is_a_400_naming_the_field_and_nothing_is_applied(
    jira, body: dict[str, Any], field: str, message: str
) -> None:
    before = _fields(jira)
    response = jira.put(f"{jira.base}/issue/ACME-1", json=body)
    assert response.status_code == 400
    assert message in response.json()["errors"][field]
    assert _fields(jira) == before  # all or nothing


def test_comment_added_through_update_is_a_real_comment(jira) -> None:
    doc = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}]}
    assert jira.put(f"{jira.base}/issue/ACME-2", json={"update": {"comment": [{"add": {"body": doc}}]}}).ok
    assert jira.get(f"{jira.base}/issue/ACME-2/comment").json()["total"] == 1


def test_expand_names_and_schema_on_an_issue_and_a_search(jira) -> None:
    issue = jira.get(f"{jira.base}/issue/ACME-1", params={"expand": "names,schema", "fields": f"summary,{seed.SCORE}"})
    body = issue.json()
    assert body["names"] == {"summary": "Summary", seed.SCORE: "RICE Score"}
    assert body["schema"][seed.SCORE]["custom"].endswith(":float")
    page = jira.post(
        f"{jira.base}/search/jql", json={"jql": "project = ACME", "fields": [seed.SCORE], "expand": "names"}
    ).json()
    assert page["names"] == {seed.SCORE: "RICE Score"} and "names" not in page["issues"][0]


def test_field_list_has_navigable_orderable_searchable_and_custom_types(jira) -> None:
    fields = {f["id"]: f for f in jira.get(f"{jira.base}/field").json()}
    for field in fields.values():
        assert {"navigable", "orderable", "searchable", "clauseNames", "schema"} <= field.keys()
        if field["custom"]:
            assert field["schema"]["custom"].startswith("com.atlassian.jira.plugin.system.customfieldtypes:")
    assert fields[seed.BUCKET]["schema"]["custom"].endswith(":select")
    assert fields["status"]["orderable"] is False and fields["status"]["schema"] == {
        "type": "status",
        "system": "status",
    }


def test_comment_pages_default_to_100_as_the_spec_says(jira) -> None:
    issue = jira.sandbox.state.issues[0]
    issue.comments = [Comment(str(n), "Ana", f"c{n}", jira_time(), jira_time()) for n in range(1, 121)]
    page = jira.get(f"{jira.base}/issue/ACME-1/comment").json()
    assert page["maxResults"] == 100 and len(page["comments"]) == 100 and page["total"] == 120


def test_self_links_name_the_rest_version_asked(jira) -> None:
    body = jira.get(f"{jira.base}/issue/ACME-1", params={"fields": "status"}).json()
    assert "/rest/api/3/issue/" in body["self"] and "/rest/api/3/status/" in body["fields"]["status"]["self"]
    v2 = jira.get(f"{jira.base.replace('/3', '/2')}/issue/ACME-1", params={"fields": "status"}).json()
    assert "/rest/api/2/issue/" in v2["self"]


@pytest.mark.parametrize(
    "doc",
    [
        {"type": "doc", "version": 1, "content": []},
        {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": []}]},
    ],
)
def test_an_empty_adf_comment_is_refused(jira, doc: dict[str, Any]) -> None:
    response = jira.post(f"{jira.base}/issue/ACME-1/comment", json={"body": doc})
    assert response.status_code == 400 and response.json()["errors"]["comment"] == "Comment body can not be empty!"
    assert jira.get(f"{jira.base}/issue/ACME-1/comment").json()["total"] == 0
