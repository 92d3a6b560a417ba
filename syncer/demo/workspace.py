"""The `.demo/` working folder: a private copy of the shipped backlog plus any tracker sandboxes' state.

The shipped demo config and backlog are package data (`syncer/demo/data/`, linked from `config/` in a checkout),
so `syncer demo` works from any folder after a plain `pip install`. They are never modified; `--reset` deletes
the working folder and starts over.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.local.store import atomic_write_json
from syncer.settings import JiraTrackerSettings, LinearTrackerSettings, SyncSettings

WORKDIR = Path(".demo")
SANDBOX_MODULES = {"jira": "connectors.jira.sandbox", "linear": "connectors.linear.sandbox"}
"""Each module offers `start_demo_sandbox(state_dir) -> ContextManager[url]` and `demo_credentials() -> dict`."""


DATA_DIR = Path(__file__).resolve().parent / "data"


def config_dir() -> Path:
    """The folder holding the shipped `demo.toml` and `demo-backlog.json` (installed with the package).

    Never the working folder's `config/`: a user's own project may have one, and the demo must not pick it up.
    """
    return DATA_DIR


def prepare(workdir: Path = WORKDIR, *, reset: bool = False) -> Path:
    """Create the working folder on first use; return the path of the working backlog."""
    if reset and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    backlog = workdir / "backlog.json"
    if not backlog.exists():
        data = json.loads((config_dir() / "demo-backlog.json").read_text(encoding="utf-8"))
        atomic_write_json(backlog, shift_dates(data, datetime.now(UTC)))
    return backlog


def shift_dates(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Move every date so the newest update is a day before `now`: the shipped backlog has fixed dates (so it can
    be rebuilt exactly), but ages and staleness in the demo should look like a live backlog's."""
    issues = data["issues"]
    newest = max(datetime.fromisoformat(i["updated"]) for i in issues)
    delta = (now - timedelta(days=1)) - newest
    for issue in issues:
        for name in ("created", "updated", "status_entered", "started"):
            if issue.get(name):
                issue[name] = (datetime.fromisoformat(issue[name]) + delta).isoformat(timespec="seconds")
    return data


@contextlib.contextmanager
def sandboxes(settings: SyncSettings, workdir: Path = WORKDIR) -> Iterator[SyncSettings]:
    """Start a sandbox for every Jira/Linear tracker in the demo config; yield settings pointing at them."""
    with contextlib.ExitStack() as stack:
        trackers: list[Any] = []
        for tracker in settings.trackers:
            if isinstance(tracker, JiraTrackerSettings | LinearTrackerSettings):
                module = importlib.import_module(SANDBOX_MODULES[tracker.kind])
                url = stack.enter_context(module.start_demo_sandbox(workdir / f"{tracker.name}-sandbox"))
                tracker = tracker.model_copy(update={"url": url, **module.demo_credentials()})
            trackers.append(tracker)
        yield settings.model_copy(update={"trackers": trackers})
