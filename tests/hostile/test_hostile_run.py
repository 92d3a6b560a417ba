"""One hostile backlog through real runs: a local tracker, Jira Cloud, Jira Data Center and Linear (the
sandboxes, over HTTP), with every report format and every alert destination. Each test reads one output as its
reader would: a spreadsheet, a browser, a Markdown viewer, Slack, a webhook receiver, a mail client, a terminal,
Jira and Linear. This is what keeps the escaping in place when the renderers are rewritten.

The run goes twice: the first writes everything, the second (`--json`) must write nothing again.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from connectors.jira.adf import plain_text
from connectors.jira.sandbox import JiraSandbox, seed
from connectors.linear.sandbox import DEMO_API_KEY, LinearSandbox, demo_backlog
from syncer.cli import main
from syncer.comments import strip_marker
from tests.alerts.receiver import Received, receiver
from tests.alerts.smtp import Relay, relay
from tests.hostile.backlog import (
    EVERY_PAYLOAD,
    FORMULA_KEY,
    FORMULAS,
    HEADER_KEY,
    JIRA_WIKI,
    JS_URL,
    MARKUP_KEY,
    MD_IMAGE,
    MENTIONS,
    hostile_backlog,
)

JIRA_EMAIL, JIRA_TOKEN = "bot@acme.test", "sandbox-token"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Outcome:
    folder: Path
    first: Any
    second: Any
    summary: dict[str, Any]
    jira_cloud: JiraSandbox
    jira_dc: JiraSandbox
    linear: LinearSandbox
    slack: list[Received]
    webhook: list[Received]
    mail: Relay
    local: dict[str, Any] = field(default_factory=dict)

    def report(self, name: str) -> str:
        return (self.folder / "reports" / name).read_text(encoding="utf-8")


def _tracker_seed(backlog: dict[str, Any]) -> dict[str, Any]:
    """Jira and Linear choose their own keys: the same records keyed T-1, T-2, ..."""
    records = [{**r, "key": f"T-{r['id']}"} for r in backlog["issues"]]
    return {**backlog, "issues": records}


def _config(folder: Path, urls: dict[str, str], smtp: Relay) -> str:
    jira = (
        '[trackers.inputs]\nreach = "Reach"\nimpact = "Impact"\nconfidence = "Confidence"\neffort = "Story Points"\n'
        '[trackers.outputs]\nscore = "RICE Score"\nrank = "Priority Rank"\nbucket = "Priority Bucket"\ncomment = true\n'
    )
    return f"""
workdir = "{folder / "work"}"

[[trackers]]
name = "local"
kind = "local"
path = "{folder / "backlog.json"}"
[trackers.inputs]
reach = "Reach"
impact = "Impact"
confidence = "Confidence"
effort = "Effort"
[trackers.outputs]
score = "RICE Score"
rank = "Priority Rank"
bucket = "Priority Bucket"
comment = true

[[trackers]]
name = "cloud"
kind = "jira"
url = "{urls["cloud"]}"
deployment = "cloud"
email = "{JIRA_EMAIL}"
token = "{JIRA_TOKEN}"
jql = "project = ACME AND statusCategory != Done ORDER BY key"
notify_users = false
{jira}
[[trackers]]
name = "dc"
kind = "jira"
url = "{urls["dc"]}"
deployment = "datacenter"
token = "{JIRA_TOKEN}"
jql = "project = ACME AND statusCategory != Done ORDER BY key"
notify_users = false
{jira}
[[trackers]]
name = "linear"
kind = "linear"
url = "{urls["linear"]}"
token = "{DEMO_API_KEY}"
teams = ["ENG"]
[trackers.inputs]
reach = "description:Reach"
impact = "label:Impact"
confidence = "label:Confidence"
effort = "estimate"
[trackers.outputs]
attachment = true
comment = true

[wip]
limits = {{ "In Progress" = 1 }}
per_assignee = 1

[aging]
max_age_days = 5

[state]
url = "sqlite:///{folder / "state.db"}"

[report]
dir = "{folder / "reports"}"
formats = ["md", "html", "csv", "json"]

[[alerts]]
kind = "console"

[[alerts]]
kind = "file"
path = "{folder / "alerts.jsonl"}"

[[alerts]]
kind = "webhook"
url = "{urls["webhook"]}/hook"

[[alerts]]
kind = "slack"
webhook_url = "{urls["slack"]}/services/T0/B0/X"
""" + smtp.config()


def _jira(backlog: Path, mode: str) -> JiraSandbox:
    state = seed.from_demo_backlog(backlog, mode=mode)  # type: ignore[arg-type]
    state.account.email, state.account.token = JIRA_EMAIL, JIRA_TOKEN
    return JiraSandbox(state)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    folder = tmp_path_factory.mktemp("hostile")
    backlog = hostile_backlog()
    (folder / "backlog.json").write_text(json.dumps(backlog), encoding="utf-8")
    seeded = folder / "tracker-seed.json"
    seeded.write_text(json.dumps(_tracker_seed(backlog)), encoding="utf-8")
    cloud, dc = _jira(seeded, "cloud"), _jira(seeded, "datacenter")
    linear = LinearSandbox(demo_backlog(seeded))
    with (
        cloud.serve() as cloud_server,
        dc.serve() as dc_server,
        linear,
        receiver() as slack,
        receiver() as hook,
        relay() as smtp,
    ):
        urls = {
            "cloud": cloud_server.url,
            "dc": dc_server.url,
            "linear": linear.url,
            "slack": slack.url,
            "webhook": hook.url,
        }
        config = folder / "syncer.toml"
        config.write_text(_config(folder, urls, smtp), encoding="utf-8")
        runner = CliRunner()
        first = runner.invoke(main, ["run", "--config", str(config)])
        second = runner.invoke(main, ["run", "--config", str(config), "--json"])
        yield Outcome(
            folder=folder,
            first=first,
            second=second,
            summary=json.loads(second.stdout) if second.stdout.strip() else {},
            jira_cloud=cloud,
            jira_dc=dc,
            linear=linear,
            slack=list(slack.requests),
            webhook=list(hook.requests),
            mail=smtp,
            local=json.loads((folder / "backlog.json").read_text(encoding="utf-8")),
        )


def _no_payload_survives(text: str) -> None:
    """No raw control, terminal escape or bidi override character. (A title may *mention* "javascript:" as
    text; each format's test checks that no such URL becomes a link.)"""
    assert not CONTROL.search(text.replace("\n", "").replace("\r", "").replace("\t", "")), CONTROL.search(text)


def test_the_runs_complete_and_the_second_writes_nothing(outcome: Outcome) -> None:
    assert outcome.first.exit_code == 0, outcome.first.output
    assert outcome.second.exit_code == 0, outcome.second.output
    summary = outcome.summary
    assert {t["name"]: t["error"] for t in summary["trackers"]} == {
        "local": None,
        "cloud": None,
        "dc": None,
        "linear": None,
    }
    assert (summary["fields_written"], summary["comments_written"]) == (0, 0), "hostile text must not cause rewrites"
    assert summary["alerts_sent"] == 0 and summary["alerts_pending"] == 0 and summary["alerts_dead_lettered"] == 0
    assert summary["needs_input"] >= 4 * 3  # T-4, T-5, T-6 on each tracker (plus the formula-key issue locally)


# ----- reports ---------------------------------------------------------------------------------------------------


def test_csv_cells_a_spreadsheet_would_evaluate_are_text_and_numbers_stay_numbers(outcome: Outcome) -> None:
    rows = list(csv.DictReader(io.StringIO(outcome.report("issues.csv"))))
    for row in rows:
        for column, value in row.items():
            assert not value.lstrip().startswith(("=", "+", "-", "@")), (column, value)
            assert not CONTROL.search(value.replace("\n", "")), (column, value)
        assert "javascript:" not in row["url"]
    titles = {r["title"] for r in rows}
    for formula in FORMULAS:
        assert "'" + formula.replace("\t", " ") in titles
    assert any(r["key"] == "'" + FORMULA_KEY for r in rows)
    scored = [r for r in rows if r["score"]]
    assert scored and all(float(r["score"]) >= 0 and int(r["rank"]) >= 1 for r in scored)
    assert max(len(r["title"]) for r in rows) <= 1000


class _Html(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_report_has_no_injected_markup_and_links_only_http(outcome: Outcome) -> None:
    page = outcome.report("grooming-report.html")
    parser = _Html()
    parser.feed(page)
    tags = {t for t, _ in parser.tags}
    assert "script" not in tags and "img" not in tags
    assert all(not k.startswith("on") for _, attrs in parser.tags for k in attrs)
    hrefs = [attrs["href"] or "" for t, attrs in parser.tags if t == "a"]
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert "&lt;script&gt;" in page
    _no_payload_survives(page)


def test_markdown_report_renders_no_html_no_script_link_and_keeps_its_tables(outcome: Outcome) -> None:
    text = outcome.report("grooming-report.md")
    _no_payload_survives(text)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    parser = _Html()
    parser.feed(rendered)
    tags = {t for t, _ in parser.tags}
    assert "script" not in tags and "img" not in tags
    hrefs = [attrs["href"] or "" for t, attrs in parser.tags if t == "a"]
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    # Every table row keeps its column count: a pipe in a title does not add a cell.
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        counts = {row.count("<td") for row in re.findall(r"<tr>.*?</tr>", table, re.S) if "<td" in row}
        assert len(counts) <= 1, counts
    assert "Needs input | with a pipe" in rendered


def test_run_json_summary_is_clean_data(outcome: Outcome) -> None:
    breaches = outcome.summary["breaches"]
    assert any(b["name"] == MENTIONS for b in breaches)
    for item in [i for b in breaches for i in b["oldest"]]:
        _no_payload_survives(item["key"] + item["title"])
        assert len(item["title"]) <= 200
        assert item["url"] == "" or item["url"].startswith(("http://", "https://"))


def test_json_report_is_clean_data(outcome: Outcome) -> None:
    data = json.loads(outcome.report("report.json"))
    text = json.dumps(data, ensure_ascii=False)
    _no_payload_survives(text)
    assert FORMULA_KEY in {i["key"] for i in data["issues"]}  # data, not a spreadsheet: no leading quote


# ----- alerts ----------------------------------------------------------------------------------------------------


def test_slack_messages_notify_nobody_link_only_http_and_list_every_item(outcome: Outcome) -> None:
    assert outcome.slack
    for request in outcome.slack:
        payload = json.loads(request.body)
        raw = json.dumps(payload, ensure_ascii=False)
        assert "<!channel>" not in raw and "<!here>" not in raw
        assert "<javascript:" not in raw and "< javascript:" not in raw
        _no_payload_survives(raw)
        oldest = [b for b in payload["blocks"] if b["type"] == "section" and "Oldest first" in b["text"]["text"]]
        for section in oldest:
            assert section["text"]["text"].count("\n•") >= 2, "a 100 KB title must not empty the list"
    texts = [json.loads(r.body)["text"] for r in outcome.slack]
    assert any("&lt;!channel&gt; @here" in t for t in texts)


def test_webhook_and_file_payloads_carry_clean_text_and_no_script_url(outcome: Outcome) -> None:
    assert outcome.webhook
    lines = (outcome.folder / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    for raw in [r.body.decode("utf-8") for r in outcome.webhook] + lines:
        _no_payload_survives(raw)
        assert "\\u0000" not in raw and "\\u001b" not in raw and "\\r\\nBcc" not in raw
        payload = json.loads(raw)
        assert len(payload["title"]) <= 400
        subject = payload["subject"]
        urls = [subject["url"]] if "url" in subject else [i["url"] for i in subject["items"]]
        assert all(u == "" or u.startswith(("http://", "https://")) for u in urls), urls


def test_email_has_one_recipient_list_and_one_line_subjects(outcome: Outcome) -> None:
    assert outcome.mail.accepted
    for recipients, message in outcome.mail.accepted:
        assert recipients == ["team@acme.test"]
        assert message["Bcc"] is None
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        _no_payload_survives(message["Subject"] + body.get_content())
    assert any("T-9 Bcc: victim@evil.test" in m["Subject"] for _, m in outcome.mail.accepted)


def test_console_shows_no_terminal_escape_and_no_rich_markup_is_applied(outcome: Outcome) -> None:
    err = outcome.first.stderr
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err and "\x00" not in err
    assert "[ALERT]" in err
    assert "]0;pwned" not in err and "[2K" not in err
    # The summary's breach table names the assignee and the oldest keys as typed (rich would take "[bold red]"
    # as its own markup and drop it).
    assert MENTIONS in err
    assert MARKUP_KEY in err.replace("\n", "")


# ----- tracker comments ------------------------------------------------------------------------------------------


def _local_comment(outcome: Outcome, key: str) -> str:
    record = next(r for r in outcome.local["issues"] if r["key"] == key)
    [comment] = record["comments"]
    return str(comment["body"])


def test_local_comments_quote_the_inputs_as_one_clean_line_each(outcome: Outcome) -> None:
    body = strip_marker(_local_comment(outcome, "T-4"))
    assert MD_IMAGE in body  # the local file is plain text: quoted, not rendered
    _no_payload_survives(body)
    assert len(body.splitlines()) <= 6


def test_linear_comments_render_no_image_link_or_html(outcome: Outcome) -> None:
    bodies = [c["body"] for c in outcome.linear.workspace.comments.values()]
    assert len(bodies) >= 3
    for body in bodies:
        _no_payload_survives(body)
        rendered = MarkdownIt("commonmark").render(strip_marker(body))
        parser = _Html()
        parser.feed(rendered)
        assert {t for t, _ in parser.tags} <= {"p", "ul", "li", "em", "strong"}, rendered
    assert any("![](http://evil.test/p.png)" in MarkdownIt("commonmark").render(strip_marker(b)) for b in bodies)


def test_linear_score_cards_render_no_image_link_or_html(outcome: Outcome) -> None:
    # A needs-input issue gets a card only once it had a score (tests/hostile/test_cards.py covers that text).
    cards = [a for a in outcome.linear.workspace.attachments.values() if a.get("subtitle")]
    assert cards
    for card in cards:
        _no_payload_survives(card["title"] + card["subtitle"])
        parser = _Html()
        parser.feed(MarkdownIt("commonmark").render(card["subtitle"]))
        assert {t for t, _ in parser.tags} <= {"p", "em", "strong"}, card["subtitle"]


def test_jira_cloud_comments_are_adf_text_only(outcome: Outcome) -> None:
    comments = [c for i in outcome.jira_cloud.state.issues for c in i.comments]
    assert comments
    for comment in comments:
        assert isinstance(comment.body, dict)
        nodes = json.dumps(comment.body)
        assert '"type": "link"' not in nodes and '"type": "mention"' not in nodes and '"type": "media' not in nodes
        _no_payload_survives(plain_text(comment.body))
    assert any(MD_IMAGE in plain_text(c.body) for c in comments)


def test_jira_datacenter_wiki_comments_escape_links_macros_and_mentions(outcome: Outcome) -> None:
    comments = [c for i in outcome.jira_dc.state.issues for c in i.comments]
    assert comments
    bodies = [str(c.body) for c in comments]
    for body in bodies:
        _no_payload_survives(body)
        assert "[~admin]" not in body and "{html}" not in body
    assert any("\\[\\~admin\\] \\{html\\}" in b for b in bodies), [b for b in bodies if "admin" in b]
    assert JIRA_WIKI not in "".join(bodies)


def test_every_payload_was_really_in_the_run(outcome: Outcome) -> None:
    # Guards the guards: the backlog did reach each tracker, so the assertions above were not vacuous.
    titles = [i.summary for i in outcome.jira_cloud.state.issues]
    assert any(JS_URL not in t and "<script>" in t for t in titles)
    assert any(r["key"] == HEADER_KEY for r in outcome.local["issues"])
    assert all(p for p in EVERY_PAYLOAD)
