"""Checks across sections that a single field's validator cannot make (run by `load_settings`).

Each one catches a configuration that would otherwise be accepted and then write the same wrong thing to every
issue: an input name the model never reads (so the real input is "missing" everywhere), a word mapped to a
number the input refuses, two trackers rewriting one local file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from syncer.settings.errors import ConfigError
from syncer.settings.sources import env_variable, source_of

if TYPE_CHECKING:
    from syncer.settings import SyncSettings


def _known_inputs(settings: SyncSettings) -> tuple[tuple[str, ...], set[str]]:
    """The configured model's inputs (in formula order), and every input name any model reads."""
    from syncer.scoring.frameworks import ICE_PRODUCT as ICE
    from syncer.scoring.frameworks import RICE, WSJF, framework_for

    model = framework_for(settings.scoring).inputs
    every = {*RICE.inputs, *ICE.inputs, *WSJF.inputs, *model}
    return model, every


def _closest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_inputs(settings: SyncSettings, file: str | None) -> None:
    """Every `[trackers.inputs]` name is an input some model reads, and each of this model's inputs is mapped."""
    model, every = _known_inputs(settings)
    variable = env_variable(("scoring", "model"))
    origin = f" (set by environment variable {variable})" if variable else ""
    reads = f"model {settings.scoring.model}{origin} reads {', '.join(model)}"
    for index, tracker in enumerate(settings.trackers):
        for name in tracker.inputs:
            if name not in every:
                raise ConfigError(
                    f"unknown input {name!r}{_closest(name, model)} ({reads})",
                    path=source_of(("trackers", index, "inputs", name), file),
                    key=f"trackers[{index}].inputs.{name}",
                )
        # No map at all: a local backlog is read by input name; on Jira or Linear the mass needs-input guard
        # stops the run. A partial map is a typo or a model switched without remapping.
        if not tracker.inputs:
            continue
        unmapped = [name for name in model if name not in tracker.inputs]
        if unmapped:
            raise ConfigError(
                f"no field configured for {', '.join(unmapped)} ({reads}); without it every issue of tracker "
                f"{tracker.name!r} would need input",
                path=source_of(("trackers", index, "inputs"), file),
                key=f"trackers[{index}].inputs",
            )


def check_words(settings: SyncSettings, file: str | None) -> None:
    """`[scoring.words.<input>]`: a known input, and numbers that input accepts (else every such issue fails)."""
    from syncer.scoring.frameworks import framework_for
    from syncer.scoring.inputs import parse_input

    model, every = _known_inputs(settings)
    rules = {rule.name: rule for rule in framework_for(settings.scoring).rules}
    for name, words in settings.scoring.words.items():
        key = f"scoring.words.{name}"
        source = source_of(("scoring", "words", name), file)
        if name not in every:
            raise ConfigError(f"unknown input {name!r}{_closest(name, model)}", path=source, key=key)
        rule = rules.get(name)
        if rule is None:
            continue  # an input of another model: kept for a switch of model, unused now
        for word, value in words.items():
            if not isinstance(parse_input(value, rule), float):
                raise ConfigError(
                    f"{word!r} = {value}: {rule.name} must be {rule.bound}", path=source, key=f"{key}.{word!r}"
                )


def check_local_paths(settings: SyncSettings, file: str | None) -> None:
    """Two local trackers on one file would each rewrite the other's results on every run."""
    seen: dict[Path, int] = {}
    for index, tracker in enumerate(settings.trackers):
        path = getattr(tracker, "path", None)
        if tracker.kind != "local" or not isinstance(path, Path):
            continue
        resolved = path.expanduser().resolve()
        if resolved in seen:
            first = settings.trackers[seen[resolved]].name
            raise ConfigError(
                f"{str(path)!r} is also the file of tracker {first!r}; give each local tracker its own file",
                path=source_of(("trackers", index, "path"), file),
                key=f"trackers[{index}].path",
            )
        seen[resolved] = index


def check_settings(settings: SyncSettings, file: str | None) -> None:
    check_inputs(settings, file)
    check_words(settings, file)
    check_local_paths(settings, file)
