"""Reading and atomically writing the local tracker's JSON file.

A write goes to a temporary file in the same folder, is fsynced, then renamed over the original: a crash at
any point leaves either the old backlog or the new one, never a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from connectors.errors import TrackerConfigError, TrackerUnavailable

FORMAT_VERSION = 1


def load_backlog(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TrackerUnavailable(f"local tracker file {path} does not exist") from exc
    except OSError as exc:
        raise TrackerUnavailable(f"cannot read local tracker file {path}: {exc.strerror}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TrackerConfigError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("issues"), list):
        raise TrackerConfigError(f"{path} must be a JSON object with an 'issues' list")
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise TrackerConfigError(f"{path} has format version {version}; this syncer reads version {FORMAT_VERSION}")
    return data


def atomic_write_json(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON, all or nothing."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    # The rename itself is durable only once the directory entry is flushed.
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
