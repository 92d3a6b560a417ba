"""Fields Jira refuses are reported per issue with the fix; the rest of the issue and of the run is written."""

from __future__ import annotations

from connectors.jira.sandbox import seed
from syncer.exitcodes import ExitCode
from syncer.pipeline import run_sync
from syncer.summary import exit_code

from .conftest import jira_settings


def test_field_missing_from_the_edit_screen_is_reported_with_the_fix_and_the_rest_is_written(serve) -> None:
    state = seed.synthetic(20, mode="cloud")
    bucket = state.field(seed.BUCKET)
    assert bucket is not None
    bucket.editable = False
    sandbox, server = serve(state)

    report = run_sync(jira_settings(server.url, deployment="cloud"))

    run = report.trackers[0]
    assert run.error is None and run.applied is not None
    messages = {f.ref.key: f.message for f in run.applied.failures}
    written = {w.ref.key for w in run.plan.writes if "bucket" in w.fields} if run.plan else set()
    assert written and set(messages) == written
    message = next(iter(messages.values()))
    assert "'Priority Bucket' (customfield_10022)" in message
    assert "add it to the edit screen" in message
    assert exit_code(report) is ExitCode.WRITE_FAILURES
    for issue in sandbox.state.issues:
        if issue.key in written:
            assert issue.values[seed.SCORE] is not None and issue.values[seed.RANK] is not None
            assert seed.BUCKET not in issue.values or issue.values[seed.BUCKET] is None
            assert len(issue.comments) == 1 and "syncer.comment" in issue.properties


def test_select_option_that_does_not_exist_names_the_option_and_the_field(serve) -> None:
    state = seed.synthetic(20, mode="cloud")
    bucket = state.field(seed.BUCKET)
    assert bucket is not None
    bucket.options = ["Now", "Next"]  # someone deleted "Later"
    sandbox, server = serve(state)

    report = run_sync(jira_settings(server.url, deployment="cloud"))

    run = report.trackers[0]
    assert run.applied is not None and run.plan is not None
    later = {w.ref.key for w in run.plan.writes if w.fields.get("bucket") == "Later"}
    assert later and {f.ref.key for f in run.applied.failures} == later
    message = run.applied.failures[0].message
    assert "select field 'Priority Bucket' (customfield_10022) has no option 'Later'" in message
    assert "Option value 'Later' is not valid" in message  # what Jira said, kept for the admin
    for issue in sandbox.state.issues:
        if issue.key in later:
            assert issue.values[seed.SCORE] is not None  # score and rank still landed
        elif issue.values.get(seed.BUCKET) is not None:
            assert issue.values[seed.BUCKET] in ("Now", "Next")


def test_notify_users_false_is_sent_but_only_honoured_for_project_admins(serve) -> None:
    quiet_state, noisy_state = seed.synthetic(10, mode="cloud"), seed.synthetic(10, mode="cloud")
    quiet, quiet_server = serve(quiet_state)
    quiet.state.account.admin = True
    noisy, noisy_server = serve(noisy_state)

    run_sync(jira_settings(quiet_server.url, deployment="cloud", notify_users=False))
    run_sync(jira_settings(noisy_server.url, deployment="cloud", notify_users=False))

    puts = [r for r in quiet_server.requests if r.method == "PUT" and r.path.count("/") == 5]
    assert puts and all(r.query["notifyUsers"] == ["false"] and r.query["returnIssue"] == ["false"] for r in puts)
    comments = len([r for r in quiet_server.requests if r.method == "POST" and r.path.endswith("/comment")])
    assert quiet.state.notifications == comments  # only the new comments e-mailed anyone
    assert noisy.state.notifications == comments + len(puts)  # without admin rights Jira ignores the flag


def test_a_multi_line_text_bucket_field_is_written_as_adf_on_cloud_and_read_back(serve) -> None:
    # REST v3 takes (and returns) paragraph fields as ADF; a plain string is refused on every issue, every run.
    state = seed.synthetic(20, mode="cloud")
    bucket = state.field(seed.BUCKET)
    assert bucket is not None
    bucket.type, bucket.options, bucket.custom_type = "string", [], "textarea"
    sandbox, server = serve(state)
    settings = jira_settings(server.url, deployment="cloud")

    run = run_sync(settings).trackers[0]

    assert run.error is None and run.applied is not None and run.applied.failures == ()
    written = {w.ref.key: w.fields["bucket"] for w in run.plan.writes if "bucket" in w.fields} if run.plan else {}
    assert written
    assert {i.key: i.values.get(seed.BUCKET) for i in sandbox.state.issues if i.key in written} == written

    server.reset_log()
    again = run_sync(settings).trackers[0]
    assert again.plan is not None and again.plan.writes == ()  # read back from ADF: nothing left to write


def test_an_unusable_answer_fails_that_issue_only_and_the_other_writes_are_counted(serve, monkeypatch) -> None:
    from connectors.jira.client import JiraClient

    state = seed.synthetic(12, mode="cloud")
    _sandbox, server = serve(state)
    real = JiraClient.add_comment
    broken: list[str] = []

    def add_comment(self: JiraClient, key: str, body: object) -> dict:
        answer = real(self, key, body)
        if not broken:  # the first comment create gets an answer without the comment's id
            broken.append(key)
            return {}
        return answer

    monkeypatch.setattr(JiraClient, "add_comment", add_comment)
    report = run_sync(jira_settings(server.url, deployment="cloud"))

    run = report.trackers[0]
    assert run.error is None and run.applied is not None and run.plan is not None
    assert [f.ref.key for f in run.applied.failures] == broken
    assert "could not be used (KeyError)" in run.applied.failures[0].message
    assert run.applied.comments_written == len(run.plan.writes) - 1
    assert exit_code(report) is ExitCode.WRITE_FAILURES
