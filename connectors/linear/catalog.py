"""The workspace facts a sync needs before reading issues: the configured teams and every label.

Read once per run (a team query and one or two label pages). Issues then carry only `labelIds`, resolved
here, which keeps each issue page far below Linear's 10,000-point cap.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.errors import TrackerConfigError
from connectors.linear import queries
from connectors.linear.client import LinearClient
from connectors.linear.estimates import EstimateScale
from connectors.linear.inputs import IssueLabels
from connectors.linear.pagination import paginate

log = logging.getLogger(__name__)
MAX_PAGE = 250


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    key: str
    name: str
    scale: EstimateScale


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    name: str
    is_group: bool
    parent_id: str | None
    parent_name: str | None
    team_id: str | None

    @classmethod
    def from_node(cls, node: Mapping[str, Any]) -> Label:
        parent = node.get("parent") or {}
        team = node.get("team") or {}
        return cls(
            node["id"], node["name"], bool(node.get("isGroup")), parent.get("id"), parent.get("name"), team.get("id")
        )


def load_teams(client: LinearClient, keys: Iterable[str], tracker: str) -> dict[str, Team]:
    """Teams by id: the configured keys (all teams when none are configured); unknown keys are a config error."""
    wanted = list(dict.fromkeys(keys))
    variables: dict[str, Any] = {"first": MAX_PAGE, "filter": {"key": {"in": wanted}} if wanted else None}

    def fetch(after: str | None) -> Mapping[str, Any]:
        return client.execute(queries.TEAMS, {**variables, "after": after}, operation="SyncerTeams")

    teams = {n["id"]: Team(n["id"], n["key"], n["name"], EstimateScale.of(n)) for n in paginate(fetch, ("teams",))}
    missing = sorted(set(wanted) - {t.key for t in teams.values()})
    if missing:
        raise TrackerConfigError(
            f"tracker {tracker!r}: Linear at {client.url} has no team with key {', '.join(missing)} "
            "(team keys are case-sensitive, e.g. ENG)"
        )
    return teams


class LabelCatalog:
    """Every label in the workspace by id, plus the groups' children; grows when the writer creates labels."""

    def __init__(self, labels: Iterable[Label] = ()) -> None:
        self._labels: dict[str, Label] = {}
        self._lock = threading.Lock()
        for label in labels:
            self.add(label)

    @classmethod
    def load(cls, client: LinearClient) -> LabelCatalog:
        def fetch(after: str | None) -> Mapping[str, Any]:
            variables = {"first": MAX_PAGE, "after": after, "filter": None}
            return client.execute(queries.ISSUE_LABELS, variables, operation="SyncerLabels")

        return cls(Label.from_node(n) for n in paginate(fetch, ("issueLabels",)))

    def add(self, label: Label) -> None:
        with self._lock:
            self._labels[label.id] = label

    def get(self, label_id: str) -> Label | None:
        return self._labels.get(label_id)

    def missing(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i not in self._labels]

    def fetch_missing(self, client: LinearClient, ids: Iterable[str]) -> None:
        """Labels created since the catalogue was read (a person added one mid-run)."""
        unknown = sorted(set(self.missing(ids)))
        if not unknown:
            return
        variables = {"first": MAX_PAGE, "after": None, "filter": {"id": {"in": unknown}}}
        data = client.execute(queries.ISSUE_LABELS, variables, operation="SyncerLabels")
        for node in data["issueLabels"]["nodes"]:
            self.add(Label.from_node(node))

    def fetch_named(self, client: LinearClient, name: str) -> None:
        """Labels called `name` (any case), e.g. to find one that another client created a moment ago."""
        variables = {"first": MAX_PAGE, "after": None, "filter": {"name": {"eqIgnoreCase": name}}}
        data = client.execute(queries.ISSUE_LABELS, variables, operation="SyncerLabels")
        for node in data["issueLabels"]["nodes"]:
            self.add(Label.from_node(node))

    def issue_labels(self, ids: Iterable[str]) -> IssueLabels:
        labels = [self._labels[i] for i in ids if i in self._labels]
        return IssueLabels(tuple((lb.name, lb.parent_name) for lb in labels))

    def groups(self) -> list[Label]:
        """Every label group (for `syncer init`, which proposes them as inputs)."""
        return [lb for lb in self._labels.values() if lb.is_group]

    def group(self, name: str, team_id: str | None) -> Label | None:
        """The label group `name` usable on `team_id`'s issues: the team's own group first, else the workspace's."""
        folded = name.casefold()
        groups = [lb for lb in self._labels.values() if lb.is_group and lb.name.casefold() == folded]
        own = [g for g in groups if team_id is not None and g.team_id == team_id]
        shared = [g for g in groups if g.team_id is None]
        found = own or shared
        return found[0] if found else None

    def has_group(self, name: str) -> bool:
        folded = name.casefold()
        return any(lb.is_group and lb.name.casefold() == folded for lb in self._labels.values())

    def group_names(self) -> list[str]:
        return sorted({lb.name for lb in self._labels.values() if lb.is_group})

    def has_prefix(self, prefix: str) -> bool:
        folded = prefix.casefold()
        return any(lb.name.casefold().startswith(folded) for lb in self._labels.values())

    def child(self, group_id: str, name: str) -> Label | None:
        folded = name.casefold()
        return next(
            (lb for lb in self._labels.values() if lb.parent_id == group_id and lb.name.casefold() == folded), None
        )

    def child_of(self, group_id: str, label_ids: Iterable[str]) -> Label | None:
        """The issue's label in group `group_id` (a group's children are exclusive, so there is at most one)."""
        for label_id in label_ids:
            label = self._labels.get(label_id)
            if label is not None and label.parent_id == group_id:
                return label
        return None
