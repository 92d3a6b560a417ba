"""Which column of an exported backlog feeds each scoring input, for `syncer score`.

In order: a `--map input=COLUMN` flag, the tracker's `[trackers.inputs]` (from `--config F --tracker NAME`), then
a column recognised by name. A spec is a column name (a Jira custom field by its own name: "Story Points" finds
`Custom field (Story Points)`), or one of Linear's input specs: `estimate`, `priority`, `label:<Group>` (the
`Group/Value` label), `label_prefix:<prefix>`, `description:<Name>` (a `Name: value` line of a ```syncer block).
A required input that maps to nothing is a `MappingError` naming the input and the candidate columns: never a
backlog where every issue "needs input".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from connectors.linear.inputs import description_values
from syncer.backlog_file import DATE_COLUMNS, Backlog, BacklogRow, column_name, custom_field_name
from syncer.models import RawValue

SourceKind = Literal["column", "priority", "label", "label_prefix", "description"]
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "effort": ("story points", "story point estimate", "estimate", "size"),
    "job_size": ("story points", "story point estimate", "estimate", "size"),
    "business_value": ("user business value", "value"),
    "risk_reduction": ("risk reduction opportunity enablement", "rr oe", "rroe"),
}
"""Column names recognised for an input besides its own name (Jira's and SAFe's usual field names)."""
_NOT_INPUTS = frozenset(
    {"issue_key", "issue_id", "key", "id", "summary", "title", "description", "status", "labels", "label"}
)
_FIELD_ID = re.compile(r"^customfield_\d+$", re.IGNORECASE)
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_NO_PRIORITY = frozenset({"", "no priority", "none"})


class MappingError(Exception):
    """An input maps to no column; `str()` names the input, the file and the candidates."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where one input is read: a column, a label group, a label prefix or a description line."""

    input: str
    kind: SourceKind
    arg: str
    """The column header, label group, label prefix or description name."""
    origin: str
    """Why this source: "--map", "<config file> trackers.<name>.inputs" or "recognised"."""
    column: str | None = None
    """The column read (the `Description` column for a description line; None for labels)."""

    def describe(self) -> str:
        """The source as a user writes it: a column header, or `label:Impact`, `description:Reach`, ..."""
        return (
            self.arg if self.kind == "column" else "priority" if self.kind == "priority" else f"{self.kind}:{self.arg}"
        )

    def read(self, row: BacklogRow) -> RawValue:
        """This input's raw value on one row (None when the row does not have it)."""
        if self.kind == "column":
            return row.values.get(self.arg)
        if self.kind == "priority":
            # Linear exports "No priority" for 0: that is no value, not an unreadable word.
            value = row.values.get(self.arg)
            return None if isinstance(value, str) and value.strip().casefold() in _NO_PRIORITY else value
        if self.kind == "label":
            group = self.arg.casefold()
            return _one([v for g, v in _grouped(row.labels) if g.casefold() == group])
        if self.kind == "label_prefix":
            prefix = self.arg.casefold()
            return _one([x[len(self.arg) :].strip() for x in row.labels if x.casefold().startswith(prefix)])
        text = row.values.get(self.column or "")
        return description_values(text if isinstance(text, str) else None).get(self.arg.casefold()) or None


def _grouped(labels: Sequence[str]) -> list[tuple[str, str]]:
    pairs = []
    for label in labels:
        group, sep, value = label.partition("/")
        if sep and group.strip() and value.strip():
            pairs.append((group.strip(), value.strip()))
    return pairs


def _one(values: list[str]) -> RawValue:
    # Two different values (two Impact labels) are passed on joined, so the engine reports them as unreadable
    # instead of one being picked silently; the same rule as the Linear connector's.
    distinct = list(dict.fromkeys(v for v in values if v))
    if not distinct:
        return None
    return distinct[0] if len(distinct) == 1 else ", ".join(distinct)


def resolve(
    backlog: Backlog,
    inputs: Sequence[str],
    *,
    flags: Mapping[str, str],
    configured: Mapping[str, str],
    config_origin: str = "",
) -> dict[str, Source]:
    """The source of every input the model needs.

    Args:
        backlog: The read export.
        inputs: The model's inputs (all required).
        flags: `--map input=COLUMN` pairs.
        configured: The tracker's `[trackers.inputs]`, or empty.
        config_origin: Where `configured` came from, for messages ("syncer.toml trackers.jira.inputs").

    Returns:
        Input -> source, in the model's order.

    Raises:
        MappingError: A flag names no input of the model, or an input maps to nothing in the file.
    """
    unknown = sorted(set(flags) - set(inputs))
    if unknown:
        raise MappingError(
            f"--map {unknown[0]}=...: the model has no input {unknown[0]!r} (its inputs: {', '.join(inputs)})"
        )
    sources: dict[str, Source] = {}
    for name in inputs:
        if name in flags:
            sources[name] = from_spec(backlog, name, flags[name], "--map")
        elif name in configured:
            sources[name] = from_spec(backlog, name, configured[name], config_origin)
        else:
            found = recognise(backlog, name)
            if found is None:
                raise MappingError(
                    f"{backlog.path}: no column for input {name!r}; pass --map {name}=COLUMN "
                    f"(candidates: {', '.join(candidates(backlog, name)) or 'none'})"
                )
            sources[name] = found
    return sources


def from_spec(backlog: Backlog, name: str, spec: str, origin: str) -> Source:
    """The source a spec names; raises MappingError when the file has no such column, label group or line."""
    text = spec.strip()
    kind, sep, arg = text.partition(":")
    where = f"input {name!r} = {spec!r} ({origin})"
    if sep and kind in ("label", "label_prefix", "description") and arg.strip():
        arg = arg if kind == "label_prefix" else arg.strip()
        if kind == "label":
            groups = backlog.label_groups()
            if arg.casefold() not in {g.casefold() for g in groups}:
                raise MappingError(
                    f"{backlog.path}: {where}: no label in group {arg!r} "
                    f"(label groups in the file: {', '.join(groups) or 'none'}; a grouped label reads Group/Value)"
                )
            return Source(name, "label", arg, origin)
        if kind == "label_prefix":
            if not any(x.casefold().startswith(arg.casefold()) for row in backlog.rows for x in row.labels):
                raise MappingError(f"{backlog.path}: {where}: no label starts with {arg!r}")
            return Source(name, "label_prefix", arg, origin)
        column = backlog.find("description")
        if column is None:
            raise MappingError(f"{backlog.path}: {where}: the file has no Description column")
        return Source(name, "description", arg, origin, column)
    if text == "customer_needs":
        raise MappingError(
            f"{backlog.path}: {where}: an export has no count of customer needs; pass --map {name}=COLUMN"
        )
    if text in ("estimate", "priority"):
        column = backlog.find(text)
        if column is None:
            raise MappingError(f"{backlog.path}: {where}: the file has no {text.title()} column")
        return Source(name, "priority" if text == "priority" else "column", column, origin, column)
    column = backlog.find(text) or _qualified(backlog, text)
    if column is None:
        hint = " (an export names its columns, not field ids: use the field's name)" if _FIELD_ID.match(text) else ""
        raise MappingError(
            f"{backlog.path}: {where}: no such column{hint} "
            f"(candidates: {', '.join(candidates(backlog, name, text)) or 'none'})"
        )
    return Source(name, "column", column, origin, column)


def _qualified(backlog: Backlog, name: str) -> str | None:
    """A column whose name is `name` plus a parenthesised qualifier: "Impact (RICE)" for impact."""
    wanted = column_name(name)
    for header in backlog.columns:
        base = _QUALIFIER.sub("", custom_field_name(header) or header)
        if base != (custom_field_name(header) or header) and column_name(base) == wanted:
            return header
    return None


def recognise(backlog: Backlog, name: str) -> Source | None:
    """A column, label group or description line named like the input (or a usual synonym); else None."""
    for candidate in (name, *SYNONYMS.get(name, ())):
        column = backlog.find(candidate) or _qualified(backlog, candidate)
        if column is not None and column_name(column) not in _NOT_INPUTS:
            return Source(name, "column", column, "recognised", column)
    for group in backlog.label_groups():
        if column_name(group) == column_name(name):
            return Source(name, "label", group, "recognised")
    description = backlog.find("description")
    if description is not None:
        wanted = name.replace("_", " ").casefold()
        for row in backlog.rows:
            text = row.values.get(description)
            lines = description_values(text if isinstance(text, str) else None)
            for line in lines:
                if line.replace("_", " ") == wanted:
                    return Source(name, "description", line, "recognised", description)
    return None


def candidates(backlog: Backlog, name: str, asked: str = "") -> list[str]:
    """Columns (and label groups) that could hold an input, at most 12: names close to the input's first, then
    columns holding numbers, then other filled columns; columns empty in every row come last."""
    pool = [c for c in backlog.columns if column_name(c) not in _NOT_INPUTS and column_name(c) not in DATE_COLUMNS]
    keys = {c: column_name(custom_field_name(c) or c) for c in pool}
    groups = [f"label:{g}" for g in backlog.label_groups()]
    keys.update({g: column_name(g.removeprefix("label:")) for g in groups})
    close: list[str] = []
    for probe in filter(None, (column_name(asked), column_name(name))):
        near = difflib.get_close_matches(probe, list(keys.values()), n=5, cutoff=0.5)
        close += [c for c in [*pool, *groups] if keys[c] in near]

    def filled(column: str) -> tuple[int, int]:
        values = [row.values.get(column) for row in backlog.rows]
        present = [v for v in values if v not in (None, "")]
        return (0 if present and all(_numeric(v) for v in present) else 1, 0 if present else 1)

    ordered = [*close, *sorted(pool, key=filled), *groups]
    return list(dict.fromkeys(ordered))[:12]


def _numeric(value: RawValue) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(str(value).strip().rstrip("%"))
    except ValueError:
        return False
    return True
