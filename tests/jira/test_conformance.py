"""The Jira sandbox driven by clients syncer did not write: python-jira and atlassian-python-api.

What these clients do must work, and what Jira refuses must come back in the shapes they see from Jira: if the
sandbox only agreed with syncer's own connector, a mistake shared by both would surface only on a real site.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from atlassian import Jira as AtlassianServer
from atlassian.jira import JiraCloud, JiraSoftware
from jira import JIRA, JIRAError

from connectors.jira.sandbox import Access, RateLimits, seed
from connectors.jira.sandbox.ratelimit import BURST

from .conftest import EMAIL, TOKEN

ADF = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "first"}]}]}


def _adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def _python_jira(url: str, **options: Any) -> JIRA:
    return JIRA(url, basic_auth=(EMAIL, TOKEN), max_retries=0, timeout=10, options=options)


# -- python-jira, Cloud ---------------------------------------------------------------------------------------


def test_python_jira_cloud_search_pages_by_token(serve) -> None:
    _sandbox, server = serve(seed.synthetic(25, mode="cloud"), page_cap=10)
    jira = _python_jira(server.url)
    keys, token = [], None
    while True:
        page = jira.enhanced_search_issues(
            "project = ACME ORDER BY key", nextPageToken=token, maxResults=10, fields=["summary"]
        )
        keys += [issue.key for issue in page]
        token = page.nextPageToken
        if not token:
            break
    assert keys == [f"ACME-{n}" for n in range(1, 26)]
    everything = jira.enhanced_search_issues("project = ACME", maxResults=0, fields=["summary"])
    assert len(everything) == 25


def test_python_jira_cloud_issue_names_number_field_comments_properties_board(serve) -> None:
    sandbox, server = serve(seed.synthetic(3, mode="cloud"))
    jira = _python_jira(server.url)

    issue = jira.issue("ACME-1", expand="names")
    assert issue.raw["names"][seed.SCORE] == "RICE Score"

    issue.update(fields={seed.SCORE: 12.5}, notify=False)  # PUTs to issue.self, then reads it back
    assert jira.issue("ACME-1").get_field(seed.SCORE) == 12.5
    assert sandbox.state.issues[0].values[seed.SCORE] == 12.5

    comment = jira.add_comment("ACME-1", "h3. score\n*12.5*")  # REST v2: wiki markup
    comment.update(body="edited *12.5*")
    assert [c.body for c in jira.comments("ACME-1")] == ["edited *12.5*"]

    jira.add_issue_property("ACME-1", "syncer.comment", {"id": comment.id, "hash": "h"})
    assert jira.issue_property("ACME-1", "syncer.comment").value.id == comment.id

    board = jira._get_json("board/7/configuration", base=jira.AGILE_BASE_URL)
    assert board["columnConfig"]["columns"][2]["max"] == 10


def test_python_jira_cloud_error_shapes(serve) -> None:
    _sandbox, server = serve(seed.synthetic(3, mode="cloud"), rate_limits=RateLimits(burst=3))
    jira = _python_jira(server.url, rest_api_version="3")

    with pytest.raises(JIRAError) as refused_jql:
        jira.enhanced_search_issues("project = NOPE", fields=["summary"])
    assert refused_jql.value.status_code == 400
    assert "The value 'NOPE' does not exist for the field 'project'." in refused_jql.value.text

    with pytest.raises(JIRAError) as refused_edit:
        jira.issue("ACME-1").update(fields={"labels": ["two words"]})
    assert refused_edit.value.status_code == 400 and "contains spaces" in refused_edit.value.text

    with pytest.raises(JIRAError) as empty_comment:
        jira.add_comment("ACME-1", {"type": "doc", "version": 1, "content": []})  # type: ignore[arg-type]
    assert empty_comment.value.status_code == 400 and "can not be empty" in empty_comment.value.text

    for _ in range(2):
        jira.fields()  # 3 a second per endpoint: the search spent one on its field-name lookup
    with pytest.raises(JIRAError) as limited:
        jira.fields()
    assert limited.value.status_code == 429
    assert limited.value.response.headers["RateLimit-Reason"] == BURST
    assert "X-RateLimit-Reset" in limited.value.response.headers

    with pytest.raises(JIRAError) as unauthorised:
        JIRA(server.url, basic_auth=(EMAIL, "wrong"), max_retries=0, timeout=10)
    assert unauthorised.value.status_code == 401
    assert "WWW-Authenticate" in unauthorised.value.response.headers


def test_python_jira_cloud_refuses_a_forged_page_token(serve) -> None:
    _sandbox, server = serve(seed.synthetic(30, mode="cloud"))
    jira = _python_jira(server.url)
    first = jira.enhanced_search_issues("project = ACME", maxResults=10, fields=["summary"])
    with pytest.raises(JIRAError) as reused:
        jira.enhanced_search_issues("project = ACME", nextPageToken=first.nextPageToken, maxResults=20)
    assert reused.value.status_code == 400 and "invalid or expired" in reused.value.text


# -- python-jira, Data Center ---------------------------------------------------------------------------------


def test_python_jira_data_center_search_issues_pages_by_start_at(serve) -> None:
    sandbox, server = serve(seed.synthetic(23, mode="datacenter"), dc_max_results=10)
    jira = JIRA(server.url, token_auth=TOKEN, max_retries=0, timeout=10)
    page = jira.search_issues("project = ACME ORDER BY key", startAt=0, maxResults=50, fields="summary")
    assert page.total == 23 and len(page) == 10  # the instance caps maxResults; python-jira sent validateQuery=True
    everything = jira.search_issues("project = ACME ORDER BY key", maxResults=False, fields="summary")
    assert [i.key for i in everything] == [f"ACME-{n}" for n in range(1, 24)]

    comment = jira.add_comment("ACME-2", "h3. wiki markup")
    assert comment.body == "h3. wiki markup" and sandbox.state.issues[1].comments[0].body == "h3. wiki markup"
    jira.issue("ACME-2").update(fields={seed.SCORE: 3.0})
    assert jira.issue("ACME-2").get_field(seed.SCORE) == 3.0

    with pytest.raises(JIRAError) as refused:
        jira.search_issues("status = Nonexistent")
    assert refused.value.status_code == 400
    assert "The value 'Nonexistent' does not exist for the field 'status'." in refused.value.text


# -- atlassian-python-api ---------------------------------------------------------------------------------------


def test_atlassian_cloud_client_end_to_end(serve) -> None:
    sandbox, server = serve(seed.synthetic(25, mode="cloud"), page_cap=10)
    jira = JiraCloud(server.url, username=EMAIL, password=TOKEN, api_version=3, timeout=10)

    issues = jira.enhanced_jql_get_list_of_tickets("project = ACME ORDER BY key", fields=["summary"])
    assert [i["key"] for i in issues] == [f"ACME-{n}" for n in range(1, 26)]

    assert jira.get_issue("ACME-1", expand="names")["names"]["summary"] == "Summary"

    jira.edit_issue("ACME-1", notify_users=False, data={"update": {seed.SCORE: [{"set": 7}]}})
    assert jira.get_issue("ACME-1", fields=seed.SCORE)["fields"][seed.SCORE] == 7

    comment = jira.add_comment("ACME-1", data={"body": ADF})
    jira.update_comment("ACME-1", comment["id"], data={"body": _adf("second")})
    comments = jira.get_comments("ACME-1")
    assert comments["maxResults"] == 100 and comments["comments"][0]["body"] == _adf("second")

    jira.set_issue_property("ACME-1", "syncer.comment", data={"id": comment["id"]})
    assert jira.get_issue_property("ACME-1", "syncer.comment")["value"] == {"id": comment["id"]}

    software = JiraSoftware(server.url, username=EMAIL, password=TOKEN, timeout=10)
    assert software.get_configuration(7)["columnConfig"]["constraintType"] == "issueCount"

    with pytest.raises(requests.HTTPError, match="does not exist for the field 'project'"):
        jira.enhanced_jql("project = NOPE")
    with pytest.raises(requests.HTTPError, match="Comment body can not be empty"):
        jira.add_comment("ACME-1", data={"body": {"type": "doc", "version": 1, "content": []}})
    assert len(sandbox.state.issues[0].comments) == 1


def test_atlassian_data_center_client(serve) -> None:
    _sandbox, server = serve(seed.synthetic(12, mode="datacenter"), dc_max_results=5)
    jira = AtlassianServer(server.url, token=TOKEN, cloud=False, timeout=10)
    page = jira.jql("project = ACME ORDER BY key", start=5, limit=50, fields="summary")
    assert page["total"] == 12 and page["startAt"] == 5 and page["maxResults"] == 5
    assert [i["key"] for i in page["issues"]] == [f"ACME-{n}" for n in range(6, 11)]
    jira.update_issue_field("ACME-3", {seed.SCORE: 1.5})
    assert jira.issue("ACME-3", fields=seed.SCORE)["fields"][seed.SCORE] == 1.5
    comment = jira.issue_add_comment("ACME-3", "plain *wiki*")
    jira.issue_edit_comment("ACME-3", comment["id"], "edited")
    assert jira.issue_get_comments("ACME-3")["comments"][0]["body"] == "edited"
    assert jira.get_agile_board_configuration(7)["id"] == 7


def test_python_jira_without_credentials_on_an_anonymous_site(serve) -> None:
    _sandbox, server = serve(seed.synthetic(3, mode="cloud"), access=Access(anonymous=True))
    anonymous = JIRA(server.url, max_retries=0, timeout=10)  # no auth: served as the anonymous user
    assert anonymous.enhanced_search_issues("statusCategory != Done", fields=["summary"]) == []
    with pytest.raises(JIRAError) as hidden:
        anonymous.enhanced_search_issues("project = ACME", fields=["summary"])
    assert hidden.value.status_code == 400 and "does not exist for the field 'project'" in hidden.value.text
    with pytest.raises(JIRAError) as myself:
        anonymous.myself()
    assert myself.value.status_code == 401 and "WWW-Authenticate" in myself.value.response.headers
