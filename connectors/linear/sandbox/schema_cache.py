"""Linear's schema, built once per machine rather than once per process.

Parsing the 1,200-type SDL (`schema.graphql` plus the overlay) with graphql-core takes over a second of CPU, a
large share of a `syncer demo` run. The same schema rebuilt from its introspection result (plain JSON) takes about
a quarter of that, and prints identically, so the first process that builds it from the SDL (fully validated)
saves the introspection under the user's cache folder, keyed by a hash of the SDL and the graphql-core version;
later processes load it. A missing, stale, unreadable or unwritable cache only means the slow path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

import graphql
from graphql import GraphQLSchema, build_client_schema, build_schema, introspection_from_schema

log = logging.getLogger(__name__)
KEPT = 4
"""Cached schemas kept (newest first): one per schema version in use; older ones are removed when one is saved."""


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/syncer`, else `~/.cache/syncer`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "syncer"


def cache_path(sdl: str) -> Path:
    digest = hashlib.sha256(f"{graphql.__version__}\n{sdl}".encode()).hexdigest()[:24]
    return cache_dir() / f"linear-schema-{digest}.json"


def load_schema(sdl: str) -> GraphQLSchema:
    """The schema `sdl` describes: from the cached introspection when there is one for exactly this text."""
    path = cache_path(sdl)
    try:
        introspection = json.loads(path.read_text(encoding="utf-8"))
        return build_client_schema(introspection, assume_valid=True)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, TypeError, KeyError) as exc:  # unreadable or not what we wrote: rebuild it
        log.warning("linear-sandbox.schema-cache-unusable path=%s error=%s", path, exc)
    schema = build_schema(sdl)  # validates the SDL itself, so only a valid schema is ever cached
    _save(path, introspection_from_schema(schema))
    return schema


def _save(path: Path, introspection: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(introspection, handle, separators=(",", ":"))
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old state or the whole file
    except OSError as exc:
        log.info("linear-sandbox.schema-cache-not-saved path=%s error=%s", path, exc)
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Remove all but the `KEPT` newest cached schemas (each is about 3 MB; a schema refresh leaves one behind)."""
    try:
        found = sorted(folder.glob("linear-schema-*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in found[KEPT:]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # another process pruning at the same time, say: harmless
        log.info("linear-sandbox.schema-cache-not-pruned error=%s", exc)
