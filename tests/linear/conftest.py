"""Linear fixtures: a sandbox on loopback (real HTTP) and settings pointing the real pipeline at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.linear.sandbox import DEMO_API_KEY, LinearSandbox, Workspace, synthetic
from connectors.linear.sandbox.app import linear_schema
from connectors.linear.sandbox.budget import RateLimits
from syncer.settings import SyncSettings

RICE_INPUTS = {
    "reach": "customer_needs",
    "impact": "label:Impact",
    "confidence": "label:Confidence",
    "effort": "estimate",
}


@pytest.fixture(scope="session", autouse=True)
def _schema_parsed_once() -> None:
    # Building Linear's 1,200-type schema takes about a second; do it once, not inside a timed test.
    linear_schema()


@pytest.fixture(scope="session")
def thousand_issues() -> dict[str, Any]:
    """1,000 synthetic issues across ENG and DES, as saved state (each test loads its own copy)."""
    return synthetic(1000, teams=("ENG", "DES")).to_json()


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., LinearSandbox]]:
    started: list[LinearSandbox] = []

    def start(workspace: Workspace, *, limits: RateLimits | None = None, **kwargs: Any) -> LinearSandbox:
        sandbox = LinearSandbox(workspace, limits=limits, **kwargs).start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


def linear_settings(
    url: str,
    tmp_path: Path,
    *,
    http: dict[str, Any] | None = None,
    scoring: dict[str, Any] | None = None,
    **tracker: Any,
) -> SyncSettings:
    """SyncSettings with one Linear tracker (RICE from needs, label groups and estimate) at `url`."""
    entry: dict[str, Any] = {
        "name": "product",
        "kind": "linear",
        "url": url,
        "token": DEMO_API_KEY,
        "teams": ["ENG", "DES"],
        "inputs": dict(RICE_INPUTS),
        "outputs": {"attachment": True, "comment": False},
    }
    entry.update(tracker)
    return SyncSettings(
        trackers=[entry],
        http={"backoff_initial": 0.01, "backoff_max": 0.05, **(http or {})},
        scoring=scoring or {},
        workdir=tmp_path / "work",
    )
