"""Pure pieces: field resolution messages, Jira JSON -> TrackerIssue, board columns -> WIP limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.errors import TrackerConfigError
from connectors.jira.board import board_limits
from connectors.jira.fields import FieldCatalog, JiraField
from connectors.jira.mapping import IssueShape, to_issue
from syncer.models import StatusCategory

RAW_FIELDS = [
    {"id": "summary", "name": "Summary", "schema": {"type": "string", "system": "summary"}},
    {"id": "customfield_1", "name": "Reach", "schema": {"type": "number"}},
    {"id": "customfield_2", "name": "Impact", "schema": {"type": "option"}},
    {"id": "customfield_3", "name": "RICE Score", "schema": {"type": "number"}},
    {"id": "customfield_4", "name": "Bucket", "schema": {"type": "option"}},
]


def test_names_resolve_case_insensitively_and_ids_directly() -> None:
    catalog = FieldCatalog(RAW_FIELDS, url="https://acme.atlassian.net")
    assert catalog.resolve("reach", key="inputs.reach").id == "customfield_1"
    assert catalog.resolve("customfield_2", key="inputs.impact").name == "Impact"


def test_unknown_name_error_lists_candidates() -> None:
    catalog = FieldCatalog(RAW_FIELDS, url="https://acme.atlassian.net")
    with pytest.raises(TrackerConfigError) as caught:
        catalog.resolve("Impackt", key="inputs.impact")
    assert "no such Jira field at https://acme.atlassian.net" in str(caught.value)
    assert "Did you mean: 'Impact' (customfield_2, option)" in str(caught.value)
    assert "Custom fields: Bucket, Impact, RICE Score, Reach" in str(caught.value)


SHAPE = IssueShape(
    tracker="acme",
    base_url="https://acme.atlassian.net",
    cloud=True,
    inputs={
        "reach": JiraField("customfield_1", "Reach", "number"),
        "impact": JiraField("customfield_2", "Impact", "option"),
    },
    outputs={
        "score": JiraField("customfield_3", "RICE Score", "number"),
        "bucket": JiraField("customfield_4", "Bucket", "option"),
    },
)


def test_issue_json_maps_inputs_by_logical_name_and_owned_values() -> None:
    raw = {
        "id": "10001",
        "key": "ACME-7",
        "fields": {
            "summary": "Faster search",
            "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
            "created": "2026-05-01T10:22:33.123+0000",
            "updated": "2026-05-02T10:22:33.123+0000",
            "statuscategorychangedate": "2026-05-03T08:00:00.000+0200",
            "assignee": {"accountId": "x", "displayName": "Ana"},
            "issuetype": {"name": "Sub-task", "subtask": True},
            "labels": ["ux"],
            "customfield_1": 1200,
            "customfield_2": {"id": "10003", "value": "High"},
            "customfield_3": 42.5,
            "customfield_4": {"value": "Now"},
        },
        "properties": {"syncer.comment": {"id": 5, "hash": "abc123"}},
    }
    issue = to_issue(raw, SHAPE)
    assert dict(issue.inputs) == {"reach": 1200, "impact": "High"}
    assert (issue.owned.score, issue.owned.bucket) == (42.5, "Now")
    assert issue.status_category is StatusCategory.IN_PROGRESS and issue.is_subtask
    assert issue.status_entered == datetime(2026, 5, 3, 6, 0, tzinfo=UTC)
    assert issue.url == "https://acme.atlassian.net/browse/ACME-7"
    assert issue.comment is not None and (issue.comment.id, issue.comment.text_hash) == ("5", "abc123")
    assert issue.assignee == "Ana"
    assert issue.team == "ACME"  # the project key, for per-team WIP limits


def test_empty_fields_are_none_and_a_garbled_property_is_ignored() -> None:
    raw = {"id": "1", "key": "ACME-1", "fields": {"customfield_2": None}, "properties": {"syncer.comment": "x"}}
    issue = to_issue(raw, SHAPE)
    assert dict(issue.inputs) == {"reach": None, "impact": None}
    assert issue.comment is None and issue.owned.score is None


COLUMNS = {
    "id": 7,
    "columnConfig": {
        "constraintType": "issueCountExclSubs",
        "columns": [
            {"name": "To Do", "statuses": [{"id": "1"}]},
            {"name": "Doing", "statuses": [{"id": "3"}, {"id": "4"}], "min": 1, "max": 4},
        ],
    },
}


def test_board_columns_become_limits_over_status_names() -> None:
    (limit,) = board_limits(COLUMNS, {"1": "Backlog", "3": "In Progress", "4": "In Review"})
    assert (limit.name, limit.limit, limit.statuses, limit.exclude_subtasks, limit.source) == (
        "Doing",
        4,
        ("In Progress", "In Review"),
        True,
        "board",
    )


def test_board_without_constraints_has_no_limits() -> None:
    none = {"columnConfig": {**COLUMNS["columnConfig"], "constraintType": "none"}}
    assert board_limits(none, {"3": "In Progress"}) == []


def test_repeated_words_are_held_once_across_issues() -> None:
    """Every issue of a page repeats the same status, assignee and input words; each held its own copy of them
    (about 200 bytes an issue). Built from separate JSON texts, as two search pages are."""
    import json

    text = json.dumps(
        {
            "id": "1",
            "key": "ACME-1",
            "fields": {
                "summary": "s",
                "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
                "assignee": {"displayName": "Ana"},
                "labels": ["ux"],
                "customfield_2": {"value": "High"},
            },
        }
    )
    one, two = (to_issue(json.loads(text), SHAPE) for _ in range(2))
    assert one.status is two.status and one.assignee is two.assignee and one.labels[0] is two.labels[0]
    assert one.inputs["impact"] is two.inputs["impact"]
