"""The measured ways a Jira issue used to get a second worker comment, each replayed over real HTTP.

Before the fix the comment was found again only through the `syncer.comment` issue property, so a property save
that failed, or a process killed between the comment POST and the property save, made the next run post again.
"""

from __future__ import annotations

from pathlib import Path

from connectors.jira.adf import find_marker, plain_text, to_adf
from connectors.jira.writer import JOURNAL_WINDOW
from syncer.comments import text_hash

from .conftest import (
    clean_run,
    duplicates,
    jira_outcome,
    jira_state,
    start_syncer_run,
    syncer_run,
    write_config,
)

ISSUES = 24
OLD = "2026-01-05T09:00:00.000+0000"
PROPERTY_SAVES = r"^PUT /rest/api/3/issue/[^/]+(/properties/[^/]+)?$"
"""The edit that carries the property, and the property PUT on its own."""


def reference(jira_server, tmp_path: Path) -> dict:
    sandbox, server, _tap = jira_server(jira_state(ISSUES))
    clean_run(write_config(tmp_path / "calm", "jira", server.url), "jira")
    return jira_outcome(sandbox.state)


def test_property_save_failing_five_times_then_one_clean_run_leaves_one_comment_per_issue(
    jira_server, tmp_path: Path
) -> None:
    expected = reference(jira_server, tmp_path)
    sandbox, server, _tap = jira_server(jira_state(ISSUES), rate=1.0, kinds=("500",), only=PROPERTY_SAVES)
    config = write_config(tmp_path / "stormy", "jira", server.url, max_attempts=5)

    failed = syncer_run(config, "jira")
    assert failed.returncode == 1, failed.stderr[-2000:]  # every comment posted, no property saved
    assert all(not i.properties for i in sandbox.state.issues)
    server.faults = type(server.faults)()
    clean_run(config, "jira")

    seen = jira_outcome(sandbox.state)
    assert duplicates(seen, 3) == 0
    assert seen == expected


def test_kill_between_comment_post_and_property_save_then_one_clean_run_leaves_one_comment(
    jira_server, tmp_path: Path
) -> None:
    expected = reference(jira_server, tmp_path)
    sandbox, server, tap = jira_server(jira_state(ISSUES))
    config = write_config(tmp_path / "killed", "jira", server.url)
    # SIGKILL the run the moment Jira has created the 5th comment, before the worker hears back.
    tap.kill_match, tap.kill_after = r"^POST .*/comment$", 5

    proc = start_syncer_run(config, "jira")
    tap.pid = proc.pid
    assert proc.wait(timeout=60) == -9
    assert tap.killed_at is not None
    server.reset_log()
    clean_run(config, "jira")

    seen = jira_outcome(sandbox.state)
    assert duplicates(seen, 3) == 0
    assert seen == expected
    # Only the issues the killed run left unrecorded were read again, not every issue.
    lookups = {r.path.split("/")[-2] for r in server.requests if r.method == "GET" and r.path.endswith("/comment")}
    assert 0 < len(lookups) <= JOURNAL_WINDOW + 4  # the journaled window and the writers in flight

    server.reset_log()
    clean_run(config, "jira")
    assert [r for r in server.requests if r.method != "POST" or "search" not in r.path] == [
        r for r in server.requests if r.method == "GET" and r.path.endswith("/field")
    ]  # a rerun: the field list and the search pages, no comment read, no write


def test_orphans_an_older_version_left_are_found_by_marker_and_removed(jira_server, tmp_path: Path) -> None:
    expected = reference(jira_server, tmp_path)
    state = jira_state(ISSUES)
    sandbox, server, _tap = jira_server(state)
    config = write_config(tmp_path / "legacy", "jira", server.url)
    clean_run(config, "jira")
    # An older syncer lost two property saves on ACME-3: three comments, the property names the newest.
    issue = state.issue("ACME-3")
    assert issue is not None
    ours = next(c for c in issue.comments if find_marker(c.body) is not None)
    for text in ("Priority score (RICE): 1 — an old comment", "Priority score (RICE): 2 — another old one"):
        state.next_comment_id += 1
        orphan = type(ours)(str(state.next_comment_id), ours.author, to_adf(text, text_hash(text)), OLD, OLD)
        issue.comments.insert(0, orphan)
    # A person quoting the worker's comment, marker and all, is not a duplicate to delete.
    quoted = plain_text(ours.body)
    state.next_comment_id += 1
    issue.comments.append(type(ours)(str(state.next_comment_id), "Ana", to_adf("> " + quoted, "0" * 16), OLD, OLD))

    clean_run(config, "jira")

    assert [c.author for c in issue.comments if find_marker(c.body) is not None] == [ours.author, "Ana"]
    issue.comments = [c for c in issue.comments if c.author != "Ana"]
    seen = jira_outcome(sandbox.state)
    assert duplicates(seen, 3) == 0
    assert seen == expected
