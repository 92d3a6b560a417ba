"""The agenda at the top of the grooming report (pure): what the refinement meeting must decide, across every
tracker at once: the Now list and what changed in it, who must supply which missing input, the issues that moved,
WIP breaches and the oldest work in progress, and the few most likely duplicates. Everything else in the report
(full ranking, distributions, per-tracker detail) is reference material below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from syncer.models import WipBreach, natural_key
from syncer.report.content import GroomingReport, IssueRow
from syncer.report.duplicates import DuplicatePair
from syncer.report.scatter import Point

NOW_SHOWN = 15
"""Now-list rows on the agenda; the rest are in the full ranking below."""
MOVERS_SHOWN = 10
AGING_SHOWN = 8
BREACHES_SHOWN = 6
DUPLICATES_SHOWN = 5
DUPLICATE_SIMILARITY = 0.9
"""Only pairs at least this similar reach the agenda: below it most pairs are related work, not duplicates."""
NO_ASSIGNEE = "no assignee (ask the reporter)"


@dataclass(frozen=True)
class Group:
    """Issues that share a missing input, or an owner who can supply what they miss."""

    name: str
    rows: tuple[IssueRow, ...]
    inputs: tuple[str, ...] = ()
    """For an owner: the inputs their issues miss."""


@dataclass(frozen=True)
class Figures:
    """One tracker's line in the compact per-tracker table."""

    name: str
    kind: str
    error: str | None
    issues: int
    scored: int
    now: int
    needs_input: int
    breaches: int
    stale: int
    synced: datetime | None = None
    """When its content was synced, if not by this run (it failed, or the report was rebuilt from storage)."""


@dataclass(frozen=True)
class Agenda:
    now: tuple[IssueRow, ...]
    """The Now bucket across trackers, highest score first."""
    now_total: int
    changed: tuple[IssueRow, ...]
    """Now-list issues whose score changed since the last report."""
    by_input: tuple[Group, ...]
    by_owner: tuple[Group, ...]
    needs_input: int
    movers: tuple[IssueRow, ...]
    breaches: tuple[WipBreach, ...]
    """The most overloaded limits first (in progress / limit)."""
    breaches_total: int
    aging: tuple[IssueRow, ...]
    """In-progress issues, longest in progress first."""
    duplicates: tuple[DuplicatePair, ...]
    figures: tuple[Figures, ...]
    points: tuple[Point, ...]
    """Value against effort, one per scored issue that has both."""

    @property
    def empty(self) -> bool:
        return not any(f.issues for f in self.figures)

    @property
    def failed(self) -> tuple[Figures, ...]:
        """Trackers this run could not sync: the agenda leaves their issues out and says so at the top."""
        return tuple(f for f in self.figures if f.error)


def _score_order(row: IssueRow) -> tuple[float, int, tuple[object, ...]]:
    return (-(row.score or 0.0), row.rank or 0, natural_key(row.key))


def _groups(pairs: Iterable[tuple[str, IssueRow]]) -> dict[str, list[IssueRow]]:
    out: dict[str, list[IssueRow]] = {}
    for name, row in pairs:
        out.setdefault(name, []).append(row)
    return out


def _largest_first(groups: dict[str, list[IssueRow]]) -> list[tuple[str, tuple[IssueRow, ...]]]:
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(name, tuple(sorted(rows, key=lambda r: natural_key(r.key)))) for name, rows in ordered]


def _moved(row: IssueRow) -> bool:
    """The explanation line says the score changed ("Score 12 -> 30 since ...")."""
    return row.change.startswith("Score ") and not row.change.startswith("Score unchanged")


def build_agenda(report: GroomingReport) -> Agenda:
    healthy = [s for s in report.sections if s.error is None]
    names = {s.name for s in healthy}
    rows = [r for r in report.rows if r.tracker in names]
    now = sorted((r for r in rows if r.bucket == "Now"), key=_score_order)
    needing = [r for r in rows if r.problems]
    by_input = _largest_first(_groups((name, r) for r in needing for name in (r.missing or ("input",))))
    by_owner = _largest_first(_groups((r.assignee or NO_ASSIGNEE, r) for r in needing))
    movers = sorted((r for r in rows if _moved(r)), key=lambda r: (r.bucket != "Now", *_score_order(r)))
    aging = sorted(
        (r for r in rows if r.in_progress_days is not None),
        key=lambda r: (-(r.in_progress_days or 0.0), natural_key(r.key)),
    )
    duplicates = sorted(
        (p for s in healthy for p in s.duplicates if p.similarity >= DUPLICATE_SIMILARITY),
        key=lambda p: (-p.similarity, natural_key(p.a_key), natural_key(p.b_key)),
    )
    breaches = sorted(
        (b for s in healthy for b in s.breaches), key=lambda b: (-b.count / max(1, b.limit), -b.count, b.tracker)
    )
    figures = tuple(
        Figures(
            name=s.name,
            kind=s.kind,
            error=s.error,
            issues=s.issues,
            scored=s.scored,
            now=sum(1 for r in report.rows if r.tracker == s.name and r.bucket == "Now"),
            needs_input=len(s.needs_input),
            breaches=len(s.breaches),
            stale=len(s.stale),
            synced=s.synced,
        )
        for s in report.sections
    )
    points = tuple(
        Point(r.key, r.value, r.effort, r.bucket)
        for r in rows
        if r.rank is not None and r.value is not None and r.effort is not None
    )
    return Agenda(
        now=tuple(now[:NOW_SHOWN]),
        now_total=len(now),
        changed=tuple(r for r in now if _moved(r)),
        by_input=tuple(Group(name, group) for name, group in by_input),
        by_owner=tuple(
            Group(name, group, tuple(dict.fromkeys(m for r in group for m in r.missing))) for name, group in by_owner
        ),
        needs_input=len(needing),
        movers=tuple(movers[:MOVERS_SHOWN]),
        breaches=tuple(breaches[:BREACHES_SHOWN]),
        breaches_total=len(breaches),
        aging=tuple(aging[:AGING_SHOWN]),
        duplicates=tuple(duplicates[:DUPLICATES_SHOWN]),
        figures=figures,
        points=points,
    )
