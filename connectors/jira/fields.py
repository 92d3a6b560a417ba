"""Field names in the config -> Jira field ids, resolved once per run from `GET /field`.

People configure fields by the name they see ("Story Points"); Jira wants ids ("customfield_10016"). Names are
not unique in Jira (two "Impact" fields in different contexts are common), so an ambiguous name is an error that
lists the ids to choose from, and an unknown name lists the closest names: guessing would write to the wrong
field on every issue.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.errors import TrackerConfigError

NUMBER = "number"
OPTION = "option"
STRING = "string"
TEXTAREA = "com.atlassian.jira.plugin.system.customfieldtypes:textarea"
"""schema.custom of a multi-line text field: REST v3 (Cloud) takes and returns its value as an ADF document."""


@dataclass(frozen=True, slots=True)
class JiraField:
    id: str
    name: str
    type: str
    """schema.type: number, option, string, array, user, date, ... ("" when Jira gives no schema)."""
    items: str = ""
    """For arrays: the item type (option, string, ...)."""
    custom: str = ""
    """schema.custom: the custom field type's key ("" for system fields)."""

    def __str__(self) -> str:
        return f"{self.name!r} ({self.id}, {self.type or 'no schema'})"


OUTPUT_TYPES: Mapping[str, tuple[str, ...]] = {"score": (NUMBER,), "rank": (NUMBER,), "bucket": (OPTION, STRING)}
"""Which field types can hold each output: numbers must be number fields, the bucket a select or text field."""


class FieldCatalog:
    def __init__(self, raw: Iterable[Mapping[str, Any]], *, url: str) -> None:
        self.url = url
        self.by_id: dict[str, JiraField] = {}
        self.by_name: dict[str, list[JiraField]] = defaultdict(list)
        for entry in raw:
            schema = entry.get("schema") or {}
            field = JiraField(
                id=str(entry.get("id")),
                name=str(entry.get("name") or entry.get("id")),
                type=str(schema.get("type") or ""),
                items=str(schema.get("items") or ""),
                custom=str(schema.get("custom") or ""),
            )
            self.by_id[field.id] = field
            self.by_name[field.name.casefold()].append(field)

    def resolve(self, ref: str, *, key: str) -> JiraField:
        """The field `ref` (an id, or a name compared without case) names; `key` is the config key for errors."""
        if ref in self.by_id:
            return self.by_id[ref]
        matches = self.by_name.get(ref.casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(str(f) for f in matches)
            raise TrackerConfigError(
                f"{key} = {ref!r} matches {len(matches)} Jira fields at {self.url}: {listed}; "
                "use the field id instead of the name"
            )
        names = sorted({f.name for fields in self.by_name.values() for f in fields})
        close = difflib.get_close_matches(ref, names, n=5, cutoff=0.5)
        hint = ", ".join(str(self.by_name[n.casefold()][0]) for n in close)
        custom = ", ".join(sorted(f.name for f in self.by_id.values() if f.id.startswith("customfield_")))
        raise TrackerConfigError(
            f"{key} = {ref!r}: no such Jira field at {self.url}. "
            + (f"Did you mean: {hint}? " if hint else "")
            + (f"Custom fields: {custom}" if custom else "")
        )

    def resolve_output(self, output: str, ref: str) -> JiraField:
        field = self.resolve(ref, key=f"outputs.{output}")
        allowed = OUTPUT_TYPES[output]
        if field.type not in allowed:
            raise TrackerConfigError(
                f"outputs.{output} = {ref!r} is {field}, but {output} needs a {' or '.join(allowed)} field"
            )
        return field
