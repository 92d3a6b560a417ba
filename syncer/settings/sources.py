"""Where a configuration value came from: the TOML file, or a `SYNCER_`-prefixed environment variable.

An error about a value must point at the place to fix it; an override from the environment wins over the
file, so a message naming the file would send the reader to a line that is not the problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

ENV_PREFIX = "SYNCER_"
ENV_DELIMITER = "__"


def env_variable(loc: Sequence[int | str], environ: Mapping[str, str] | None = None) -> str | None:
    """The environment variable that supplies the value at `loc`, if one does.

    `SYNCER_SCORING__MODEL` supplies ("scoring", "model"); `SYNCER_SCORING` (a JSON object) supplies everything
    under ("scoring",); `SYNCER_TRACKERS` (a JSON list) everything under ("trackers", 0, ...): list items have
    no variable of their own, so the walk stops at the first index. Names compare without case, as
    pydantic-settings reads them.
    """
    env = os.environ if environ is None else environ
    names = {name.upper(): name for name in env}
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            break
        parts.append(part.upper())
    for length in range(len(parts), 0, -1):
        candidate = ENV_PREFIX + ENV_DELIMITER.join(parts[:length])
        if candidate in names:
            return names[candidate]
    return None


def env_variables_under(field: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Every variable that sets top-level `field` or a key under it (`SYNCER_WIP`, `SYNCER_WIP__LIMITS`)."""
    env = os.environ if environ is None else environ
    exact = ENV_PREFIX + field.upper()
    return sorted(name for name in env if name.upper() == exact or name.upper().startswith(exact + ENV_DELIMITER))


def describe(variable: str) -> str:
    return f"environment variable {variable}"


def source_of(loc: Sequence[int | str], config_file: str | None) -> str | None:
    """What a `ConfigError` about `loc` should name: the environment variable if one sets it, else the file."""
    variable = env_variable(loc)
    return describe(variable) if variable else config_file
