"""LinearConnector: the `TrackerConnector` for a Linear workspace (GraphQL).

A run reads the configured teams and the label catalogue (one request each, more only past 250 of them), then
the issues page by page, and writes back one score card per changed issue (plus the bucket label and comment
when configured). Linear has no WIP limits of its own; the limits in the config apply.
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from graphql import parse
from pydantic import SecretStr

from connectors.concurrency import AdaptiveLimit, map_adaptive
from connectors.errors import AuthenticationFailed, ConnectorError, TrackerConfigError, TrackerUnavailable
from connectors.linear import queries
from connectors.linear.auth import build_auth
from connectors.linear.catalog import LabelCatalog, Team, load_teams
from connectors.linear.client import LinearClient, LinearQueryError
from connectors.linear.complexity import estimate_complexity
from connectors.linear.inputs import needs_fields, parse_specs
from connectors.linear.mapping import IssueState, MappingContext, to_completed, to_issue
from connectors.linear.pagination import GraphQLCursorPaginator, paginate
from connectors.linear.writer import BucketLabels, IssueWriter, WriteOutcome
from syncer import shutdown
from syncer.comments import MARKER_PREFIX
from syncer.models import ApplyResult, CompletedIssue, IssueWrite, TrackerIssue, WipLimit, WritebackPlan, WriteFailure
from syncer.settings import HttpSettings, LinearTrackerSettings

log = logging.getLogger(__name__)
PAGE_COMPLEXITY_TARGET = 8_000
"""Points one issue page may cost: 80 % of Linear's 10,000 cap. The estimate follows Linear's documented rule
(and a test holds it at or above the sandbox's count); the 20 % is headroom for their exact count, and a page
refused as too complex anyway is asked again at half the size."""
MAX_PAGE_SIZE = 250
"""Linear's largest page (`first` beyond it is refused)."""
NEEDS_PER_ISSUE = 25
"""Customer needs read inline per issue; issues with more get a follow-up query for the rest."""
STATE_TYPES = ("triage", "backlog", "unstarted", "started", "completed", "canceled", "duplicate")
_ISSUES_DOC = parse(queries.ISSUES)


def describe_credential(tracker: LinearTrackerSettings) -> str:
    """Where the credential comes from, in the order `resolve_token` looks (never its value)."""
    what = "OAuth token" if tracker.auth == "oauth" else "API key"
    if tracker.token is not None:
        return f"{what} set as `token` for tracker {tracker.name!r}"
    if tracker.token_env:
        return f"{what} in environment variable {tracker.token_env}"
    if tracker.token_file:
        return f"{what} in file {tracker.token_file}"
    return what


def _check_attachment_url(tracker: LinearTrackerSettings) -> None:
    """The card's URL must name the issue by `{issue_id}` (its UUID: identifiers change when issues move teams)."""
    url = tracker.attachment_url
    try:
        ok = "{issue_id}" in url and url.format(issue_id="x") != url
    except (KeyError, IndexError, ValueError):
        ok = False
    if tracker.outputs.attachment and not ok:
        raise TrackerConfigError(
            f"tracker {tracker.name!r}: attachment_url must contain {{issue_id}} (the issue's UUID) and no other "
            f"{{placeholder}}, got {url!r}"
        )


class LinearConnector:
    def __init__(
        self,
        tracker: LinearTrackerSettings,
        *,
        http: HttpSettings,
        token: SecretStr | None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = tracker.name
        self.settings = tracker
        self.http = http
        if token is None:
            raise AuthenticationFailed(
                f"tracker {tracker.name!r}: no Linear credential configured (set token_env, token_file or token)"
            )
        self.specs = parse_specs(tracker.inputs, tracker.name)
        unknown = sorted(set(tracker.states) - set(STATE_TYPES))
        if unknown:
            # State *types* are Linear's stable categories; names ("In Review") differ per team and are not types.
            raise TrackerConfigError(
                f"tracker {tracker.name!r}: states: unknown workflow state type {', '.join(unknown)}; "
                f"use {', '.join(STATE_TYPES)}"
            )
        _check_attachment_url(tracker)
        self.client = LinearClient(
            tracker.url,
            build_auth(tracker.auth, token),
            http,
            credential=describe_credential(tracker),
            transport=transport,
            sleep=sleep,
        )
        self.teams: dict[str, Team] = {}
        self.labels = LabelCatalog()
        self._states: dict[str, IssueState] = {}

    # ----- reading ------------------------------------------------------------------------------------------
    def _variables(self) -> dict[str, Any]:
        outputs = self.settings.outputs
        issue_filter: dict[str, Any] = {"state": {"type": {"in": list(self.settings.states)}}}
        if self.settings.teams:
            issue_filter["team"] = {"id": {"in": list(self.teams)}}
        return {
            "first": self.settings.page_size or MAX_PAGE_SIZE,
            "filter": issue_filter,
            **needs_fields(self.specs),
            "needsFirst": NEEDS_PER_ISSUE,
            "withAttachment": outputs.attachment,
            "attachmentPrefix": self.settings.attachment_url.split("{issue_id}")[0],
            "withComments": outputs.comment,
            "commentMarker": MARKER_PREFIX,
        }

    @staticmethod
    def page_size(variables: Mapping[str, Any]) -> int:
        """The largest page, up to `variables["first"]`, that costs at most `PAGE_COMPLEXITY_TARGET` points.

        A page's cost grows with its size but not in proportion (the query's own fields are paid once), so the
        size is searched rather than scaled: fewer, fuller pages are fewer requests and less rate budget.
        """
        low, high = 1, int(variables["first"])
        if estimate_complexity(_ISSUES_DOC, {**variables, "first": high}) <= PAGE_COMPLEXITY_TARGET:
            return high
        while low < high:  # invariant: `low` fits (or is 1), `high + 1` does not
            middle = (low + high + 1) // 2
            if estimate_complexity(_ISSUES_DOC, {**variables, "first": middle}) <= PAGE_COMPLEXITY_TARGET:
                low = middle
            else:
                high = middle - 1
        return low

    def _needs_count(self, node: Mapping[str, Any]) -> int | None:
        needs = node.get("needs")
        if needs is None:
            return None
        count = len(needs.get("nodes") or [])
        info = needs.get("pageInfo") or {}
        if info.get("hasNextPage"):
            paginator = GraphQLCursorPaginator(("issue", "needs"), after=info.get("endCursor"))
            while paginator.has_next:
                variables = {"id": node["id"], "first": 250, "after": paginator.after}
                data = self.client.execute(queries.ISSUE_NEEDS, variables, operation="SyncerIssueNeeds")
                count += len(paginator.update(data))
        return count

    def fetch_issues(self) -> Iterator[TrackerIssue]:
        self.teams = load_teams(self.client, self.settings.teams, self.name)
        self.labels = LabelCatalog.load(self.client)
        self._check_label_inputs()
        variables = self._variables()
        variables["first"] = self.page_size(variables)
        ctx = MappingContext(
            self.name,
            self.teams,
            self.labels,
            self.specs,
            self.settings.attachment_url,
            self.settings.outputs.attachment,
            self.settings.outputs.bucket_label_group,
        )

        pages = 0

        def fetch(after: str | None) -> Mapping[str, Any]:
            nonlocal pages
            while True:
                try:
                    data = self.client.execute(queries.ISSUES, {**variables, "after": after}, operation="SyncerIssues")
                    break
                except LinearQueryError as exc:
                    # Linear counts complexity on its own terms; a page over its cap is refused whole (HTTP 400,
                    # QUERY_TOO_COMPLEX). A cursor does not fix the page size, so the same page is asked smaller.
                    if "QUERY_TOO_COMPLEX" not in exc.codes or variables["first"] <= 1:
                        raise
                    variables["first"] = max(1, variables["first"] // 2)
                    log.warning(
                        "linear.page.too-complex", extra={"tracker": self.name, "page_size": variables["first"]}
                    )
            pages += 1
            issues = data.get("issues")
            nodes = issues.get("nodes") if isinstance(issues, Mapping) else None
            log.info(
                "linear.issues.page", extra={"page": pages, "issues": len(nodes) if isinstance(nodes, list) else 0}
            )
            return data

        count = 0
        for node in paginate(fetch, ("issues",)):
            self.labels.fetch_missing(self.client, node.get("labelIds") or ())
            issue, state = to_issue(node, ctx, self._needs_count(node))
            self._states[issue.id] = state
            count += 1
            yield issue
        log.info("linear.fetched", extra={"issues": count, "page_size": variables["first"], "pages": pages})
        self.client.budget.log_remaining(self.name)

    def fetch_completed(self, since: datetime) -> Iterator[CompletedIssue]:
        """Issues of the configured teams completed after `since` (`completedAt: {gt}`), archived ones included,
        in pages of 250 (the query asks for five scalars per issue, far below the complexity cap). Canceled and
        duplicate issues have no `completedAt`, so they are not counted as finished work."""
        if not self.teams:
            self.teams = load_teams(self.client, self.settings.teams, self.name)
        moment = since.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        issue_filter: dict[str, Any] = {"completedAt": {"gt": moment}}
        if self.settings.teams:
            issue_filter["team"] = {"id": {"in": list(self.teams)}}
        pages = count = 0

        def fetch(after: str | None) -> Mapping[str, Any]:
            nonlocal pages
            variables = {"first": MAX_PAGE_SIZE, "after": after, "filter": issue_filter}
            data = self.client.execute(queries.COMPLETED, variables, operation="SyncerCompleted")
            pages += 1
            return data

        for node in paginate(fetch, ("issues",)):
            issue = to_completed(node, self.name)
            if issue is not None:
                count += 1
                yield issue
        log.info("linear.completed", extra={"issues": count, "pages": pages})

    def _check_label_inputs(self) -> None:
        """An input read from a label group (or prefix) that the workspace does not have is a typo in the config;
        without this check every issue would get a needs-input card."""
        for spec in self.specs:
            if spec.kind == "label" and not self.labels.has_group(spec.arg):
                groups = self.labels.group_names()
                close = difflib.get_close_matches(spec.arg, groups, n=3, cutoff=0.6)
                hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                raise TrackerConfigError(
                    f"tracker {self.name!r}: inputs.{spec.input} = 'label:{spec.arg}': Linear at {self.client.url} "
                    f"has no label group {spec.arg!r}{hint} (label groups: {', '.join(groups) or 'none'})"
                )
            if spec.kind == "label_prefix" and not self.labels.has_prefix(spec.arg):
                raise TrackerConfigError(
                    f"tracker {self.name!r}: inputs.{spec.input} = 'label_prefix:{spec.arg}': no label at "
                    f"{self.client.url} starts with {spec.arg!r}"
                )

    def wip_limits(self) -> list[WipLimit]:
        """Linear has no WIP limits of its own; the config's limits (per state name, team, assignee) apply."""
        return []

    # ----- writing ------------------------------------------------------------------------------------------
    def _writer(self) -> IssueWriter:
        group = self.settings.outputs.bucket_label_group
        return IssueWriter(
            self.client,
            attachment_url=self.settings.attachment_url,
            attachment=self.settings.outputs.attachment,
            buckets=BucketLabels(self.client, self.labels, group) if group else None,
        )

    def apply(self, plan: WritebackPlan) -> ApplyResult:
        """Write each issue's changes, `[http] write_concurrency` at a time at first.

        The number in flight grows towards `max_write_concurrency` while Linear answers cleanly and halves on a
        RATELIMITED answer or a budget near its limit (`connectors.concurrency`, `LinearClient.limiter`).

        A refused write is that issue's failure; if Linear becomes unreachable or refuses the credential, the
        remaining issues are reported as not written (the next run retries them) instead of each waiting out
        its own retries.
        """
        writer = self._writer()
        stop = threading.Event()
        halted: list[str] = []

        def one(write: IssueWrite) -> WriteOutcome | str:
            if stop.is_set():
                return f"not attempted: {halted[0]}"
            if shutdown.stopping():  # SIGTERM: start nothing new; an issue already started finishes
                return shutdown.NOT_STARTED
            state = self._states.get(write.issue_id)
            if state is None:
                return "issue was not read in this run"
            try:
                return writer.apply(write, state)
            except LinearQueryError as exc:
                return str(exc)
            except TrackerUnavailable as exc:
                halted.append(str(exc))
                stop.set()
                return str(exc)
            except ConnectorError as exc:
                return str(exc)

        start = self.http.write_concurrency
        limit = AdaptiveLimit(start, max(start, self.http.max_write_concurrency))
        self.client.limiter = limit
        try:
            outcomes = map_adaptive(one, plan.writes, limit, name="linear-write")
        finally:
            self.client.limiter = None
        if plan.writes:
            log.info("linear.write-concurrency %s", limit.summary())
        failures = tuple(
            WriteFailure(w.ref, o) for w, o in zip(plan.writes, outcomes, strict=True) if isinstance(o, str)
        )
        done = [o for o in outcomes if isinstance(o, WriteOutcome)]
        self.client.budget.log_remaining(self.name)
        return ApplyResult(
            fields_written=sum(o.fields for o in done),
            comments_written=sum(1 for o in done if o.comment),
            issues_written=sum(1 for o in done if o.wrote),
            failures=failures,
        )

    def close(self) -> None:
        self.client.close()
