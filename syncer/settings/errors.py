"""Configuration errors that name the offending key and file (exit code 2)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from syncer.settings.sources import source_of


class ConfigError(Exception):
    """A configuration problem; `str()` names the file and every bad key."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        where = f" in {path}" if path else ""
        prefix = f"{key}: " if key else ""
        super().__init__(f"configuration error{where}: {prefix}{message}")


_UNION_TAGS = frozenset({"local", "jira", "linear", "slack", "webhook", "email", "console", "file"})


def format_loc(loc: Sequence[int | str]) -> str:
    """Render a pydantic location as a TOML-ish key path: ("trackers", 0, "inputs") -> trackers[0].inputs."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out


def from_validation_error(exc: ValidationError, path: str | None) -> ConfigError:
    """One `ConfigError` for every problem; each names its source (the file, or the variable that set it)."""
    lines = []
    sources: list[str | None] = []
    first_key: str | None = None
    for err in exc.errors():
        # Discriminated unions (trackers, alerts) add the tag ("jira", "slack") as a location segment right after
        # the list index; it is not a key the user wrote.
        raw = list(err["loc"])
        loc = [p for i, p in enumerate(raw) if not (i > 0 and isinstance(raw[i - 1], int) and p in _UNION_TAGS)]
        if err["type"] == "union_tag_invalid":
            loc.append("kind")
        key = format_loc(loc) or "(top level)"
        first_key = first_key or key
        sources.append(source_of(loc, path))
        lines.append(f"{key}: {err['msg']}")
    if len(lines) == 1:
        return ConfigError(lines[0].split(": ", 1)[1], path=sources[0], key=first_key)
    if len(set(sources)) == 1:
        return ConfigError("\n  " + "\n  ".join(lines), path=sources[0], key=None)
    shown = [f"{line} ({source})" if source != path else line for line, source in zip(lines, sources, strict=True)]
    return ConfigError("\n  " + "\n  ".join(shown), path=path, key=None)
