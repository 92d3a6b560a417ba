"""Reading and atomically writing the local tracker's JSON file.

A write goes to a temporary file in the same folder, is fsynced, then renamed over the original: a crash at
any point leaves either the old backlog or the new one, never a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from connectors.errors import TrackerConfigError, TrackerUnavailable

FORMAT_VERSION = 1


def load_backlog(path: Path) -> dict[str, Any]:
    return read_backlog_text(path)[0]


def read_backlog_text(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed backlog and its text (for line numbers in messages)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TrackerUnavailable(f"local tracker file {path} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise TrackerConfigError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
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
    return data, raw


def _keep_mode_and_owner(fd: int, path: Path) -> None:
    """Give the temporary file the original's mode and owner: mkstemp creates it 0600, owned by us, and the
    rename would otherwise lock the team (a group-writable 0664 backlog) out of their own file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # a new file gets what open() would have given it
        return
    os.fchmod(fd, stat.S_IMODE(st.st_mode))
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except PermissionError:
            # Only root may give a file away; a member of the file's group may still keep the group.
            with contextlib.suppress(PermissionError):
                os.fchown(fd, -1, st.st_gid)


def atomic_write_json(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON, all or nothing, keeping the file's mode (and owner where allowed)."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            _keep_mode_and_owner(fh.fileno(), path)
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
