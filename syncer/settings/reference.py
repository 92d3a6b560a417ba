"""The configuration reference (docs/configuration.md), generated from the settings models themselves.

Every key, its type, default and description come from the pydantic models (descriptions are the attribute
docstrings), so the reference cannot drift from the program: a test regenerates it and compares, and
`make docs` rewrites it. `python -m syncer.settings.reference` prints it.
"""

from __future__ import annotations

import enum
import json
import types
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from syncer.settings import SyncSettings

HEADER = """\
# Configuration reference

<!-- Generated from the settings models by `make docs` (python -m syncer.settings.reference); do not edit by
hand: a test fails when this file and the models disagree. -->

One TOML file, given with `--config PATH` or `SYNCER_CONFIG` (default `./syncer.toml`). Every key can be
overridden from the environment: `SYNCER_` + the key path in capitals with `__` between levels, e.g.
`SYNCER_SCORING__MODEL=ice` or `SYNCER_HTTP__TIMEOUT=60`; the environment wins over the file. Lists and tables
(`trackers`, `alerts`) are given as JSON in one variable. `syncer config show` prints the effective
configuration (secrets masked); `syncer config schema` prints it all as JSON Schema.

Relative paths are relative to the working folder the command runs in. A bad value exits 2 with a message
naming the key and the file.
"""

Section = tuple[str, str, type[BaseModel], tuple[str, ...]]
"""(heading, explanation, model, field names to leave out: shown in their own section)."""


def _kinds(union: Any) -> list[type[BaseModel]]:
    if get_origin(union) is Annotated:
        union = get_args(union)[0]
    return [m for m in get_args(union) if isinstance(m, type) and issubclass(m, BaseModel)]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def type_name(annotation: Any) -> str:
    """A short, TOML-minded name for a field's type."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return type_name(get_args(annotation)[0])
    if origin is Literal:
        return " \\| ".join(json.dumps(a) for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return " \\| ".join(type_name(a) for a in args)
    if origin in (list, tuple, set, frozenset):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return f"list of {type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"table of {type_name(get_args(annotation)[1])}"
    simple = {str: "string", int: "integer", float: "number", bool: "boolean", Path: "path", SecretStr: "secret"}
    if annotation in simple:
        return simple[annotation]
    if annotation is timedelta:
        return 'duration ("24h", "3d", seconds)'
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(json.dumps(m.value) for m in annotation)
    return str(annotation).replace("typing.", "")


def default_text(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.default
    if value is PydanticUndefined and info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    if value is None:
        return "unset"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, timedelta):
        return f"{value.total_seconds():g} s"
    if isinstance(value, Path):
        return f'`"{value}"`'
    if isinstance(value, enum.Enum):
        value = value.value
    return f"`{json.dumps(value, default=str)}`"


def description(info: FieldInfo) -> str:
    return " ".join((info.description or "").split())


def _table(model: type[BaseModel], skip: tuple[str, ...] = ()) -> Iterator[str]:
    yield "| key | type | default | description |"
    yield "|---|---|---|---|"
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        text = description(info).replace("|", "\\|")
        yield f"| `{name}` | {type_name(info.annotation)} | {default_text(info)} | {text} |"


def _section(heading: str, intro: str, model: type[BaseModel], skip: tuple[str, ...] = ()) -> Iterator[str]:
    yield f"## {heading}"
    yield ""
    if intro:
        yield intro
        yield ""
    yield from _table(model, skip)
    yield ""


def sections() -> list[Section]:
    """Every table of the configuration, in reading order."""
    from syncer.settings.alerts import AgingSettings, _AlertBase
    from syncer.settings.http import HttpSettings
    from syncer.settings.metrics import MetricsSettings
    from syncer.settings.report import ReportSettings
    from syncer.settings.schedule import ScheduleSettings
    from syncer.settings.scoring import Buckets, Criterion, MoSCoW, ScoringSettings, WipSettings
    from syncer.settings.state import StateSettings
    from syncer.settings.trackers import OutputSettings, TrackerSettings, _TrackerBase

    fields = SyncSettings.model_fields
    nested = tuple(n for n, info in fields.items() if _model_of(info.annotation) or n in ("trackers", "alerts"))
    out: list[Section] = [("Top level", "Keys outside any table.", SyncSettings, nested)]
    out.append(("[[trackers]]", "One entry per tracker; keys every kind has.", _TrackerBase, ("wip", "outputs")))
    for kind in _kinds(TrackerSettings):
        common = tuple(_TrackerBase.model_fields)
        out.append((f"[[trackers]] kind = {_kind(kind)}", "", kind, common))
    out.append(("[trackers.outputs]", "Where one tracker's results go.", OutputSettings, ()))
    out.append(
        (
            "[trackers.wip]",
            "WIP limits for one tracker. When a tracker has this table it **replaces** the top-level `[wip]` for "
            "that tracker as a whole (the two are not merged); a tracker without it uses `[wip]`. Same keys as "
            "`[wip]`.",
            WipSettings,
            (),
        )
    )
    out.append(("[scoring]", "", ScoringSettings, ("buckets", "moscow", "criteria")))
    out.append(("[scoring.buckets]", "", Buckets, ()))
    out.append(("[scoring.moscow]", 'Needed when `bucket_style = "moscow"`.', MoSCoW, ()))
    out.append(("[[scoring.criteria]]", 'Needed when `model = "weighted"`.', Criterion, ()))
    out.append(("[wip]", "WIP limits for every tracker without its own `[trackers.wip]`.", WipSettings, ()))
    out.append(("[http]", "", HttpSettings, ()))
    out.append(("[state]", "", StateSettings, ()))
    out.append(
        (
            "[schedule]",
            "Only `syncer schedule` reads it, and it refuses to start without it (there is no default schedule).",
            ScheduleSettings,
            (),
        )
    )
    out.append(("[metrics]", "", MetricsSettings, ()))
    out.append(("[[alerts]]", "One entry per destination; keys every kind has.", _AlertBase, ()))
    from syncer.settings.alerts import AlertSettings

    for kind in _kinds(AlertSettings):
        common = tuple(_AlertBase.model_fields)
        out.append((f"[[alerts]] kind = {_kind(kind)}", description_of(kind), kind, common))
    out.append(("[aging]", description_of(AgingSettings), AgingSettings, ()))
    out.append(("[report]", "", ReportSettings, ()))
    covered = {model for _, _, model, _ in out}
    for name, info in fields.items():  # a section added to the settings later still gets its table
        model = _model_of(info.annotation)
        if model is not None and model not in covered and name not in ("trackers", "alerts"):
            out.append((f"[{name}]", description_of(model), model, ()))
    return out


def _kind(model: type[BaseModel]) -> str:
    """The `kind` value a member of a discriminated union is chosen by, as TOML writes it."""
    return json.dumps(get_args(model.model_fields["kind"].annotation)[0])


def description_of(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def render() -> str:
    lines = [HEADER]
    for heading, intro, model, skip in sections():
        lines.extend(_section(heading, intro, model, skip))
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
