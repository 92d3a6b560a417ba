"""Checks made before anything is read or written.

`preflight` (every run): the folders a run will need are usable. The grooming report is written after the
write-back, so a `[report] dir` that points at a file used to fail only once every tracker had been written,
with a traceback. Found here, it is a one-line configuration error.

`check_configurable` (`syncer schedule`, at start): every selected tracker can at least be configured. A
long-lived scheduler that starts without a tracker's credentials would wait for its first slot, then fail on
every run; refusing at start (exit 2, naming the key) is what an operator deploying it wants to see. Nothing
here talks to a tracker: reachability is the run's business.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import httpx

from syncer.alerts.destinations import build
from syncer.settings import ConfigError, JiraTrackerSettings, LinearTrackerSettings, SyncSettings
from syncer.settings.sources import source_of


def _usable_folder(path: Path, *, key: str, loc: tuple[str, ...], config_path: str | None, create: bool = True) -> None:
    source = source_of(loc, config_path)
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        what = "is a file" if existing == path else f"is inside {existing}, which is a file"
        message = f"{str(path)!r} {what}; it must be a folder (it is created when missing)"
        raise ConfigError(message, path=source, key=key)
    if not create:
        return
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create folder {str(path)!r}: {exc.strerror or exc}", path=source, key=key) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"folder {str(path)!r} is not writable for this user", path=source, key=key)


def preflight(settings: SyncSettings, config_path: str | None) -> None:
    """Raise `ConfigError` (exit 2) naming the key and its source when `workdir` or `[report] dir` is unusable."""
    # Not created here: with PostgreSQL state and the report elsewhere, nothing may need it.
    _usable_folder(settings.workdir, key="workdir", loc=("workdir",), config_path=config_path, create=False)
    if settings.report.enabled:
        if settings.report.dir is not None:
            _usable_folder(settings.report.dir, key="report.dir", loc=("report", "dir"), config_path=config_path)
        else:
            _usable_folder(settings.workdir / "reports", key="workdir", loc=("workdir",), config_path=config_path)


def check_configurable(settings: SyncSettings, only: Sequence[str], *, config_path: str | None) -> None:
    """Raise `ConfigError` for the first tracker, alert destination or state URL that cannot be set up."""
    for index, tracker in enumerate(settings.trackers):
        if only and tracker.name not in only:
            continue
        token = tracker.resolve_token(index, config_path)
        if isinstance(tracker, JiraTrackerSettings | LinearTrackerSettings) and token is None:
            raise ConfigError(
                f"tracker {tracker.name!r} has no credentials: set token_env, token_file or token",
                path=config_path,
                key=f"trackers[{index}].token_env",
            )
    settings.state.resolved_url(settings.workdir)
    with httpx.Client() as client:
        build(settings.alerts, client)
