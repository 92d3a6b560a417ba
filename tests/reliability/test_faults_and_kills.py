"""20 % injected faults (including "applied, answer lost" on every kind of write), and a SIGTERM then SIGKILLs at
random moments of a real `syncer run`, against both sandboxes over loopback HTTP: after one clean run the tracker holds exactly
what a fault-free run leaves, with one worker comment per issue.

The short variant (a few seeds, a small backlog) runs in `make test`; `make reliability` runs the long one (10
fault sessions per tracker, plus 2 aimed at comment writes (on Jira also property saves) and on Jira 2 aimed at
property saves on their own; 40 stopped sessions per tracker: a SIGTERM then two SIGKILLs, each on what the last
left) and prints the counts docs/reliability.md quotes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .scenarios import (
    AIMED_AT_COMMENTS,
    AIMED_AT_LINEAR_COMMENTS,
    AIMED_AT_PROPERTIES,
    Tally,
    jira_fault_session,
    jira_kill_session,
    jira_lost_properties,
    jira_reference,
    jira_start,
    linear_fault_session,
    linear_kill_session,
    linear_reference,
    linear_start,
)

SHORT = {"issues": 12, "fault_seeds": [1], "kill_seeds": [1]}
LONG = {
    "issues": 60,
    "fault_seeds": list(range(1, 11)),
    "aimed_seeds": [11, 12],
    "property_seeds": [13, 14],
    "kill_seeds": list(range(1, 41)),
}
JIRA_WRITES = {"comment create", "comment edit", "comment delete", "field PUT", "property PUT"}
LINEAR_WRITES = {"CreateComment", "UpdateComment", "DeleteComment", "UpsertAttachment", "label mutation"}


def run_jira(tmp_path: Path, jira_server: Any, size: dict[str, Any]) -> tuple[Tally, Tally]:
    start, synced, workdir = jira_start(tmp_path / "start", jira_server, size["issues"])
    expected, timing = jira_reference(start, workdir, tmp_path / "reference", jira_server)
    faults, kills = Tally(), Tally()
    for s in size["fault_seeds"]:
        jira_fault_session(start, workdir, tmp_path / f"faults-{s}", jira_server, expected, seed_=s, tally=faults)
    for s in size.get("aimed_seeds", []):
        folder = tmp_path / f"aimed-{s}"
        jira_fault_session(start, workdir, folder, jira_server, expected, seed_=s, tally=faults, aim=AIMED_AT_COMMENTS)
    if size.get("property_seeds"):
        # Its own start (only properties missing), so its own reference.
        unrecorded = jira_lost_properties(synced)
        recorded, _ = jira_reference(unrecorded, workdir, tmp_path / "reference-properties", jira_server)
        for s in size["property_seeds"]:
            folder = tmp_path / f"properties-{s}"
            aim = AIMED_AT_PROPERTIES
            jira_fault_session(unrecorded, workdir, folder, jira_server, recorded, seed_=s, tally=faults, aim=aim)
    for s in size["kill_seeds"]:
        folder = tmp_path / f"kills-{s}"
        jira_kill_session(start, workdir, folder, jira_server, expected, seed_=s, tally=kills, timing=timing)
    print(f"\njira reference run {timing.run:.1f} s, {timing.writes} writes in {timing.writing:.1f} s")
    print(faults.line("jira faults") + "\n" + kills.line("jira kills"))
    return faults, kills


def run_linear(tmp_path: Path, linear_server: Any, size: dict[str, Any]) -> tuple[Tally, Tally]:
    start, workdir = linear_start(tmp_path / "start", linear_server, size["issues"])
    expected, timing = linear_reference(start, workdir, tmp_path / "reference", linear_server)
    faults, kills = Tally(), Tally()
    for s in size["fault_seeds"]:
        linear_fault_session(start, workdir, tmp_path / f"faults-{s}", linear_server, expected, seed_=s, tally=faults)
    for s in size.get("aimed_seeds", []):
        folder = tmp_path / f"aimed-{s}"
        aim = AIMED_AT_LINEAR_COMMENTS
        linear_fault_session(start, workdir, folder, linear_server, expected, seed_=s, tally=faults, aim=aim)
    for s in size["kill_seeds"]:
        folder = tmp_path / f"kills-{s}"
        linear_kill_session(start, workdir, folder, linear_server, expected, seed_=s, tally=kills, timing=timing)
    print(f"\nlinear reference run {timing.run:.1f} s, {timing.writes} writes in {timing.writing:.1f} s")
    print(faults.line("linear faults") + "\n" + kills.line("linear kills"))
    return faults, kills


def check(faults: Tally, kills: Tally) -> None:
    assert faults.duplicates == 0 and kills.duplicates == 0
    assert faults.mismatches == [] and kills.mismatches == []
    assert sum(faults.faults.values()) > 0


def test_jira_survives_faults_and_kills_short(tmp_path: Path, jira_server: Any) -> None:
    faults, kills = run_jira(tmp_path, jira_server, SHORT)
    check(faults, kills)


def test_linear_survives_faults_and_kills_short(tmp_path: Path, linear_server: Any) -> None:
    faults, kills = run_linear(tmp_path, linear_server, SHORT)
    check(faults, kills)


@pytest.mark.reliability
@pytest.mark.timeout(3600)
def test_jira_survives_faults_and_kills_long(tmp_path: Path, jira_server: Any) -> None:
    faults, kills = run_jira(tmp_path, jira_server, LONG)
    check(faults, kills)
    assert set(faults.lost_answers) >= JIRA_WRITES  # every kind of write lost an answer at least once
    assert kills.kills >= 20 and kills.kills_mid_write >= 10 and kills.terms_mid_write >= 5


@pytest.mark.reliability
@pytest.mark.timeout(3600)
def test_linear_survives_faults_and_kills_long(tmp_path: Path, linear_server: Any) -> None:
    faults, kills = run_linear(tmp_path, linear_server, LONG)
    check(faults, kills)
    assert set(faults.lost_answers) >= LINEAR_WRITES
    assert kills.kills >= 20 and kills.kills_mid_write >= 10 and kills.terms_mid_write >= 5
