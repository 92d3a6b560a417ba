"""WIP limits from a Jira board's column constraints (`/rest/agile/1.0/board/{id}/configuration`).

A column lists statuses by id, so ids are mapped to names through `GET /status`; `max` absent means no limit;
`constraintType` "none" switches limits off and "issueCountExclSubs" leaves sub-tasks out of the count. `min` has
no counterpart in our WIP rules (a limit is a ceiling) and is ignored. Config limits for the same column win;
that merge happens in `syncer.wip.merge_limits`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from syncer.models import WipLimit

log = logging.getLogger(__name__)

BOARD_SOURCE = "board"


def status_names(statuses: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {str(s["id"]): str(s["name"]) for s in statuses if "id" in s and "name" in s}


def board_limits(config: Mapping[str, Any], names: Mapping[str, str]) -> list[WipLimit]:
    columns = config.get("columnConfig") or {}
    constraint = columns.get("constraintType", "none")
    if constraint not in ("issueCount", "issueCountExclSubs"):
        return []
    limits = []
    for column in columns.get("columns") or []:
        maximum = column.get("max")
        if not isinstance(maximum, int) or isinstance(maximum, bool):
            continue
        ids = [str(s.get("id")) for s in column.get("statuses") or []]
        unknown = [i for i in ids if i not in names]
        if unknown:
            log.warning(
                "jira.board-unknown-status board=%s column=%s ids=%s", config.get("id"), column.get("name"), unknown
            )
        limits.append(
            WipLimit(
                scope="status",
                name=str(column.get("name")),
                limit=maximum,
                source=BOARD_SOURCE,
                exclude_subtasks=constraint == "issueCountExclSubs",
                statuses=tuple(names[i] for i in ids if i in names),
            )
        )
    return limits
