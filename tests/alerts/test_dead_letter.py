"""A message that cannot be sent never holds back the others, and stops being retried after `max_attempts`.

Measured before: an issue key carrying "\r\nBcc: ..." made EmailMessage raise on every run; that message was
retried first, forever, and every later message to the same destination waited behind it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from syncer.cli import main
from syncer.state import StateStore
from syncer.state.outbox import Outbox
from tests.alerts.jobs import config_text, run, set_status, write_settings
from tests.alerts.smtp import relay

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOSTILE_KEY = "T-9\r\nBcc: victim@evil.test"
AGING = "\n[aging]\nmax_age_days = 5\n"


def _with_hostile_aging_item(backlog: Path) -> None:
    """T-9 (key with a header injection) has been in progress since October: an aging alert names it."""
    data = json.loads(backlog.read_text(encoding="utf-8"))
    hostile: dict[str, Any] = {
        **data["issues"][0],
        "key": HOSTILE_KEY,
        "id": "9",
        "status": "Review",
        "status_category": "in_progress",
        "assignee": "eve",
    }
    data["issues"].append(hostile)
    backlog.write_text(json.dumps(data), encoding="utf-8")


def test_an_issue_key_with_a_header_injection_is_sent_as_text_and_blocks_nothing(
    tmp_path: Path, backlog: Path, state_url: str
) -> None:
    _with_hostile_aging_item(backlog)
    with relay() as smtp:
        settings = write_settings(tmp_path, backlog, state_url, smtp.config() + AGING)
        first = run(settings, now=T0)
        set_status(backlog, "T-2", "Done", "done")  # the breach ends: a "resolved" message is queued behind
        second = run(settings, now=T0 + timedelta(minutes=30))

    assert (first.alerts.failed, first.alerts.pending) == (0, 0), first.alerts.errors
    assert second.alerts.sent >= 1 and second.alerts.pending == 0
    assert [rcpts for rcpts, _ in smtp.accepted] == [["team@acme.test"]] * len(smtp.accepted)
    subjects = [msg["Subject"] for _, msg in smtp.accepted]
    assert any("WIP back within limit" in s for s in subjects)
    [aging] = [msg for _, msg in smtp.accepted if "Aging item: T-9" in msg["Subject"]]
    assert aging["Bcc"] is None
    assert aging["Subject"].startswith("[syncer] Aging item: T-9 Bcc: victim@evil.test on local")
    assert all("\r" not in s and "\n" not in s for s in subjects)


def _refuse_t9(message: Any) -> bool:
    return "T-9" in message["Subject"]


def test_a_message_the_server_keeps_refusing_is_dead_lettered_after_max_attempts(
    tmp_path: Path, backlog: Path, state_url: str
) -> None:
    _with_hostile_aging_item(backlog)
    config = tmp_path / "syncer.toml"
    runner = CliRunner()
    with relay(refuse=_refuse_t9) as smtp:
        config.write_text(config_text(tmp_path, backlog, state_url, smtp.config(max_attempts=3) + AGING))
        outputs = []
        for n in range(4):
            if n == 1:
                set_status(backlog, "T-2", "Done", "done")  # a later message for the same destination
            result = runner.invoke(main, ["run", "--config", str(config), "--json"])
            assert result.exit_code == 0, result.output
            outputs.append(json.loads(result.stdout))

    # The refused message is tried once per run, three times, then kept aside; the others go out meanwhile.
    assert len(smtp.refused) == 3
    assert [o["alerts_dead_lettered"] for o in outputs] == [0, 0, 1, 0]
    assert [o["alerts_pending"] for o in outputs] == [1, 1, 0, 0]
    # Sent in the same runs as the refusals, not held back behind the refused message: the breach and the
    # other aging items first, then the breach's "resolved" (queued after the refused message).
    assert [o["alerts_sent"] for o in outputs] == [3, 2, 0, 0]
    subjects = [msg["Subject"] for _, msg in smtp.accepted]
    assert any("WIP back within limit" in s for s in subjects)
    assert "dead-lettered after 3 attempts" in outputs[2]["alert_errors"][0]
    assert "server answered 554" in outputs[2]["alert_errors"][0]
    store = StateStore.open(state_url)
    try:
        [dead] = Outbox(store.engine).dead_letters()
    finally:
        store.close()
    assert (dead.sink, dead.attempts, dead.event.data["issue"]) == ("email", 3, "T-9 Bcc: victim@evil.test")


def test_a_destination_that_is_down_keeps_its_messages_pending_in_order(
    tmp_path: Path, backlog: Path, state_url: str
) -> None:
    # Unreachable is the destination's failure, not the message's: nothing is dead-lettered however long it lasts.
    dead_port = (
        '\n[[alerts]]\nkind = "email"\nhost = "127.0.0.1"\nport = 9\nstarttls = false\n'
        'sender = "s@acme.test"\nto = ["t@acme.test"]\nmax_attempts = 1\ntimeout = 2\n'
    )
    settings = write_settings(tmp_path, backlog, state_url, dead_port)
    results = [run(settings, now=T0 + timedelta(minutes=30 * n)) for n in range(3)]
    assert [(r.alerts.failed, r.alerts.pending, r.alerts.dead_lettered) for r in results] == [(1, 1, 0)] * 3


def test_the_console_summary_says_what_was_dead_lettered(tmp_path: Path, backlog: Path, state_url: str) -> None:
    _with_hostile_aging_item(backlog)
    config = tmp_path / "syncer.toml"
    with relay(refuse=_refuse_t9) as smtp:
        config.write_text(config_text(tmp_path, backlog, state_url, smtp.config(max_attempts=1) + AGING))
        result = CliRunner().invoke(main, ["--log-format", "text", "run", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "1 dead-lettered" in result.stderr
    assert "dead-lettered after 1 attempts" in result.stderr
