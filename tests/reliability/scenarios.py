"""Fault and crash scenarios shared by the short (`make test`) and long (`make reliability`) variants.

Each scenario starts from a backlog the worker has already synced once and that then changed in every way that
makes each kind of write happen: inputs edited (comment edit, field PUT carrying the property, Linear card upsert
and bucket label swap), new issues (comment create), a lost `syncer.comment` property, orphaned copies of the
worker's comment from an older version (comment delete). New issues move every rank, so there a lost property
rides with the field PUT too; a property saved on its own (`PUT .../properties/`) comes from a second Jira start
where only properties are missing (`jira_lost_properties`). The reference is one clean run over the same start; a
scenario passes when, after its faulty or killed runs and one clean run, the tracker holds exactly what the
reference holds.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.jira.adf import find_marker as jira_marker
from connectors.jira.adf import to_adf
from connectors.jira.sandbox import seed
from connectors.jira.sandbox.state import Comment, JiraState
from connectors.linear.sandbox import Workspace
from connectors.linear.writer import markdown
from connectors.sandbox_http import FAULT_KINDS, SandboxHTTPServer, SandboxRequest
from syncer.comments import marker, text_hash

from .conftest import (
    clean_run,
    duplicates,
    jira_outcome,
    jira_state,
    linear_outcome,
    linear_workspace,
    start_syncer_run,
    syncer_run,
    write_config,
)

LATENCY = 0.01
"""Seconds each applied write takes in the sandbox, so a run spends long enough writing to be killed mid-way."""
IN_WRITING = 0.75
"""Share of the stops whose moment is drawn among the run's writes rather than over the whole run."""
AIMED_AT_COMMENTS: dict[str, Any] = {"rate": 0.5, "only": r"^(PUT|POST|DELETE) .*/(properties|comment)"}
"""Faults on comment and property writes only, at a higher rate: 20 % over every request seldom reaches them."""
AIMED_AT_PROPERTIES: dict[str, Any] = {"rate": 0.5, "only": r"^PUT .*/properties/", "kinds": ("drop_after", "drop")}
"""Faults on property saves only, half of them "applied, answer lost"; for the start where only properties are
missing, whose every write is a property saved on its own (elsewhere the property rides with the field edit)."""
AIMED_AT_LINEAR_COMMENTS: dict[str, Any] = {
    "rate": 0.5,
    "only_body": r"mutation Syncer(Create|Update|Delete)Comment\b",
    "kinds": ("drop_after", "drop"),
}
"""Faults on Linear's comment mutations only (every request is `POST /graphql`, so aimed by the body), half of them
"applied, answer lost": a start has 6 orphans to delete, too few for 20 % over every request to reach for sure."""


@dataclass
class Tally:
    """Counts over every session of a scenario, for docs/reliability.md."""

    sessions: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    """Injected faults by kind."""
    lost_answers: Counter[str] = field(default_factory=Counter)
    """"drop_after" faults (applied, answer lost) by kind of write."""
    kills: int = 0
    kills_mid_write: int = 0
    terms: int = 0
    """SIGTERMs that reached a run still going (it must stop cleanly: exit 143)."""
    terms_mid_write: int = 0
    duplicates: int = 0
    mismatches: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        return (
            f"{name}: sessions={self.sessions} faults={sum(self.faults.values())} {dict(sorted(self.faults.items()))} "
            f"lost_answers={dict(sorted(self.lost_answers.items()))} kills={self.kills} "
            f"kills_mid_write={self.kills_mid_write} sigterms={self.terms} sigterms_mid_write={self.terms_mid_write} "
            f"duplicates={self.duplicates} mismatches={len(self.mismatches)}"
        )


@dataclass(frozen=True)
class Timing:
    """The reference run: how long it took, start to exit; how long from its first applied write to its last; how
    many writes it applied."""

    run: float
    writing: float
    writes: int


def watch_faults(server: SandboxHTTPServer, tally: Tally, write_kind: Callable[[SandboxRequest], str | None]) -> None:
    """Count every fault the server injects, and which kind of write lost its answer."""
    draw = server._draw_fault

    def counted(request: SandboxRequest) -> Any:
        fault, config = draw(request)
        if fault is not None:
            tally.faults[fault] += 1
            kind = write_kind(request)
            if fault == "drop_after" and kind is not None:
                tally.lost_answers[kind] += 1
        return fault, config

    server._draw_fault = counted  # type: ignore[method-assign]


# -- Jira ---------------------------------------------------------------------------------------------------


def jira_write_kind(request: SandboxRequest) -> str | None:
    path, method = request.path, request.method
    if "/search" in path or method == "GET":
        return None
    if path.endswith("/comment"):
        return "comment create"
    if "/comment/" in path:
        return "comment delete" if method == "DELETE" else "comment edit"
    if "/properties/" in path:
        return "property PUT"
    return "field PUT"


def timed_clean_run(config: Path, tracker: str, tap: Any) -> Timing:
    """One clean run with the sandbox's write latency, timed: the kill moments are drawn from these lengths."""
    tap.latency, tap.first_write_at, tap.last_write_at = LATENCY, None, None
    before = tap.writes
    started = time.monotonic()
    clean_run(config, tracker)
    run = time.monotonic() - started
    writing = (tap.last_write_at - tap.first_write_at) if tap.first_write_at is not None else 0.0
    return Timing(run=run, writing=writing, writes=tap.writes - before)


def jira_start(folder: Path, jira_server: Any, issues: int) -> tuple[dict[str, Any], dict[str, Any], Path]:
    """A synced-then-changed Jira project (as JSON), the project as the sync left it (before the changes), and
    the state database of the run that synced it."""
    state = jira_state(issues)
    extra = state.issues[-max(2, issues // 8) :]
    state.issues = state.issues[: -len(extra)]
    _sandbox, server, tap = jira_server(state)
    config = write_config(folder, "jira", server.url)
    timed_clean_run(config, "jira", tap)
    synced = state.to_json()
    rng = random.Random(3)
    open_issues = [i for i in state.issues if i.properties]
    for issue in rng.sample(open_issues, max(1, len(open_issues) // 4)):
        issue.values[seed.REACH] = int(issue.values[seed.REACH] or 0) + rng.randint(50, 900)
    for issue in rng.sample(open_issues, max(1, len(open_issues) // 8)):
        issue.properties.pop("syncer.comment", None)  # an older version lost its property save
    for issue in rng.sample(open_issues, max(1, len(open_issues) // 8)):
        ours = next(c for c in issue.comments if jira_marker(c.body) is not None)
        text = "Priority score (RICE): 1 — an orphan an older version left behind"
        state.next_comment_id += 1
        orphan = Comment(str(state.next_comment_id), ours.author, to_adf(text, text_hash(text)), ours.created, "")
        issue.comments.insert(0, orphan)
    state.issues.extend(extra)
    return state.to_json(), synced, folder / "work"


def jira_lost_properties(synced: dict[str, Any]) -> dict[str, Any]:
    """The synced project with the `syncer.comment` property gone from half the issues and nothing else changed:
    no value or rank moves, so the next run saves each of those properties on its own (`PUT .../properties/`),
    the write that otherwise happens only when a property save or a field edit failed."""
    state = JiraState.from_json(synced)
    recorded = [i for i in state.issues if "syncer.comment" in i.properties]
    for issue in random.Random(5).sample(recorded, max(1, len(recorded) // 2)):
        del issue.properties["syncer.comment"]
    return state.to_json()


def copy_workdir(source: Path, target: Path) -> None:
    """Start from the synced run's state database: the comments explain what moved since then."""
    (target / "work").mkdir(parents=True, exist_ok=True)
    for path in source.glob("state.db*"):
        shutil.copy2(path, target / "work" / path.name)


def jira_reference(
    start: dict[str, Any], workdir: Path, folder: Path, jira_server: Any
) -> tuple[dict[str, Any], Timing]:
    sandbox, server, tap = jira_server(JiraState.from_json(start))
    copy_workdir(workdir, folder)
    timing = timed_clean_run(write_config(folder, "jira", server.url), "jira", tap)
    return jira_outcome(sandbox.state), timing


def jira_fault_session(
    start: dict[str, Any],
    workdir: Path,
    folder: Path,
    jira_server: Any,
    expected: dict[str, Any],
    *,
    seed_: int,
    tally: Tally,
    aim: dict[str, Any] | None = None,
) -> None:
    """`aim`: fault settings that override the 20 % over every request (`AIMED_AT_COMMENTS`, ...)."""
    faults: dict[str, Any] = {"rate": 0.2, "seed": seed_, "kinds": FAULT_KINDS, "retry_after": 0.02, "delay": 2.5}
    faults.update(aim or {})
    sandbox, server, _tap = jira_server(JiraState.from_json(start), **faults)
    watch_faults(server, tally, jira_write_kind)
    copy_workdir(workdir, folder)
    config = write_config(folder, "jira", server.url, max_attempts=3)
    faulty = syncer_run(config, "jira")
    assert faulty.returncode in (0, 1, 3), faulty.stderr[-2000:]
    server.faults = type(server.faults)()
    clean_run(config, "jira")
    judge(jira_outcome(sandbox.state), expected, comments_at=3, tally=tally, label=f"jira faults seed {seed_}")


def jira_kill_session(
    start: dict[str, Any],
    workdir: Path,
    folder: Path,
    jira_server: Any,
    expected: dict[str, Any],
    *,
    seed_: int,
    tally: Tally,
    kills: int = 3,
    timing: Timing,
) -> None:
    sandbox, server, tap = jira_server(JiraState.from_json(start))
    tap.latency = LATENCY
    copy_workdir(workdir, folder)
    config = write_config(folder, "jira", server.url)
    kill_runs(config, "jira", tap, tally, random.Random(seed_), kills=kills, timing=timing)
    tap.latency = 0.0
    clean_run(config, "jira")
    judge(jira_outcome(sandbox.state), expected, comments_at=3, tally=tally, label=f"jira kills seed {seed_}")


# -- Linear -------------------------------------------------------------------------------------------------


def linear_write_kind(request: SandboxRequest) -> str | None:
    head = request.body[:300].decode("utf-8", "replace")
    if "mutation" not in head:
        return None
    for name in ("CreateComment", "UpdateComment", "DeleteComment", "UpsertAttachment", "Label"):
        if name in head:
            return {"Label": "label mutation"}.get(name, name)
    return "other mutation"


def linear_start(folder: Path, linear_server: Any, issues: int) -> tuple[dict[str, Any], Path]:
    workspace = linear_workspace(issues)
    ids = list(workspace.issues)
    held_back = {i: workspace.issues.pop(i) for i in ids[-max(2, issues // 8) :]}
    sandbox, tap = linear_server(workspace)
    config = write_config(folder, "linear", sandbox.url)
    timed_clean_run(config, "linear", tap)
    rng = random.Random(3)
    commented = [i for i in workspace.issues.values() if i["commentIds"]]
    for issue in rng.sample(commented, max(1, len(commented) // 4)):
        for _ in range(rng.randint(1, 4)):
            workspace.add_need(issue)
    for issue in rng.sample(commented, max(1, len(commented) // 8)):
        text = "Priority score (RICE): 1 — an orphan an older version left behind"
        ours = workspace.comments[issue["commentIds"][0]]
        orphan = {**ours, "id": f"orphan-{issue['id']}", "body": f"{markdown(text)}\n\n{marker(text_hash(text))}"}
        workspace.comments[orphan["id"]] = orphan
        issue["commentIds"].append(orphan["id"])
    workspace.issues.update(held_back)
    return workspace.to_json(), folder / "work"


def linear_reference(
    start: dict[str, Any], workdir: Path, folder: Path, linear_server: Any
) -> tuple[dict[str, Any], Timing]:
    sandbox, tap = linear_server(Workspace.from_json(start))
    copy_workdir(workdir, folder)
    timing = timed_clean_run(write_config(folder, "linear", sandbox.url), "linear", tap)
    return linear_outcome(sandbox.workspace), timing


def linear_fault_session(
    start: dict[str, Any],
    workdir: Path,
    folder: Path,
    linear_server: Any,
    expected: dict[str, Any],
    *,
    seed_: int,
    tally: Tally,
    aim: dict[str, Any] | None = None,
) -> None:
    faults: dict[str, Any] = {"rate": 0.2, "seed": seed_, "kinds": ("503", "500", "delay", "drop", "drop_after")}
    faults.update(delay=0.3, **(aim or {}))
    sandbox, _tap = linear_server(Workspace.from_json(start), **faults)
    watch_faults(sandbox.server, tally, linear_write_kind)
    copy_workdir(workdir, folder)
    config = write_config(folder, "linear", sandbox.url, max_attempts=3)
    faulty = syncer_run(config, "linear")
    assert faulty.returncode in (0, 1, 3), faulty.stderr[-2000:]
    sandbox.faults = type(sandbox.faults)()
    clean_run(config, "linear")
    judge(linear_outcome(sandbox.workspace), expected, comments_at=2, tally=tally, label=f"linear faults {seed_}")


def linear_kill_session(
    start: dict[str, Any],
    workdir: Path,
    folder: Path,
    linear_server: Any,
    expected: dict[str, Any],
    *,
    seed_: int,
    tally: Tally,
    kills: int = 3,
    timing: Timing,
) -> None:
    sandbox, tap = linear_server(Workspace.from_json(start))
    tap.latency = LATENCY
    copy_workdir(workdir, folder)
    config = write_config(folder, "linear", sandbox.url)
    kill_runs(config, "linear", tap, tally, random.Random(seed_), kills=kills, timing=timing)
    tap.latency = 0.0
    clean_run(config, "linear")
    judge(linear_outcome(sandbox.workspace), expected, comments_at=2, tally=tally, label=f"linear kills {seed_}")


# -- shared -------------------------------------------------------------------------------------------------


def kill_runs(
    config: Path, tracker: str, tap: Any, tally: Tally, rng: random.Random, *, kills: int, timing: Timing
) -> None:
    """Start `syncer run` and stop it at a random moment, `kills` times in a row (each on what the last left):
    first with SIGTERM, then with SIGKILL.

    The moment is drawn against the reference run (`timing`, the same start without faults). A run over a synced
    backlog spends most of its time starting and reading, so a moment drawn over the whole run seldom lands while
    it writes (4 of 27 Linear SIGKILLs did). So a quarter of the stops come anywhere between 0.2 s (still
    starting) and the reference run's length; the others right after this run's k-th write lands, k drawn
    uniformly between 1 and what is left to write (the reference run's writes less those this session's runs
    made). Counting writes rather than seconds keeps the draw inside the writing window however loaded the
    machine is, and a stop after an earlier one that came late still finds something to interrupt. A run with
    less to write than drawn finishes first: that stop is no kill.
    """
    session = tap.writes
    for number in range(kills):
        # The first stop is a SIGTERM (what Kubernetes, systemd and docker stop send), the others SIGKILLs.
        sig = signal.SIGTERM if number == 0 else signal.SIGKILL
        tap.settle()  # the killed run's last writes have landed: what is counted from here is this run's
        before, mid_write = tap.writes, False
        proc = start_syncer_run(config, tracker)
        if rng.random() < IN_WRITING:
            k = rng.randint(1, max(1, timing.writes - (before - session)))
            while tap.writes - before < k and proc.poll() is None:
                time.sleep(0.002)
        else:
            time.sleep(rng.uniform(0.2, max(0.2, timing.run)))
        if proc.poll() is None:
            proc.send_signal(sig)
            mid_write = tap.writes > before
            if sig == signal.SIGTERM:
                tally.terms += 1
                tally.terms_mid_write += mid_write
            else:
                tally.kills += 1
                tally.kills_mid_write += mid_write
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        said = ""
        if proc.stderr is not None:
            said = proc.stderr.read()
            proc.stderr.close()
        # A SIGTERM while Python is still starting, before the handler exists, ends it at once (and harmlessly):
        # such a run has said nothing yet. Counting the sandbox's writes cannot tell, since writes of the run
        # killed just before may still be landing when this one starts.
        started = bool(said.strip())
        handled = code in (0, 1, 143) or (code == -signal.SIGTERM and not started)
        assert sig != signal.SIGTERM or handled, f"a run SIGTERMed after it started exited {code}: {said[-500:]}"


def judge(seen: dict[str, Any], expected: dict[str, Any], *, comments_at: int, tally: Tally, label: str) -> None:
    tally.sessions += 1
    tally.duplicates += duplicates(seen, comments_at)
    wrong = sorted(k for k in set(seen) | set(expected) if seen.get(k) != expected.get(k))
    if wrong:
        tally.mismatches.append(f"{label}: {wrong[:5]}")
