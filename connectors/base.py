"""The interface every tracker connector implements (local JSON, Jira, Linear).

A run calls `fetch_issues()` once, `fetch_completed(since)` when the grooming report is written (its flow
metrics), `wip_limits()` once, then `apply(plan)` unless it is a dry run, then `close()`.
Connectors raise `connectors.errors.TrackerUnavailable` / `AuthenticationFailed` when the tracker cannot be used
at all (exit 3); a problem with a single issue is reported in `ApplyResult.failures` and never stops the run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Protocol

from syncer.models import ApplyResult, CompletedIssue, TrackerIssue, WipLimit, WritebackPlan


class CommentJournal(Protocol):
    """One tracker's write-ahead journal of comment writes (`syncer.state.journal`); see `use_journal` below.

    A connector whose comment write and its record of it are two requests (Jira) takes one through an optional
    `use_journal(journal)` method, called before `fetch_issues()`: `begin` before writing, `finish` once the
    tracker has recorded the comment; issues left `unfinished()` by an earlier run are the ones to look at again.
    """

    def unfinished(self) -> set[str]: ...

    def begin(self, keys: Collection[str]) -> None: ...

    def finish(self, keys: Collection[str]) -> None: ...


class TrackerConnector(Protocol):
    name: str
    """The configured tracker name (`[[trackers]] name`)."""

    def fetch_issues(self) -> Iterator[TrackerIssue]:
        """Yield every issue in scope, page by page, with the configured inputs and the worker's outputs."""
        ...

    def fetch_completed(self, since: datetime) -> Iterator[CompletedIssue]:
        """Yield every issue in scope completed after `since` (only what flow metrics need; one extra query,
        paged). Called after `fetch_issues()`. These issues are read-only: nothing is ever planned for them."""
        ...

    def wip_limits(self) -> list[WipLimit]:
        """Limits the tracker itself defines (a Jira board's column constraints); most trackers have none."""
        ...

    def apply(self, plan: WritebackPlan) -> ApplyResult:
        """Write the plan: owned fields and the worker's comment. Per-issue failures go in the result."""
        ...

    def close(self) -> None: ...
