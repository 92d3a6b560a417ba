"""`JiraConnector`: Jira Cloud or Data Center behind the `TrackerConnector` interface.

A run costs: serverInfo (only when `deployment` is not configured), `GET /field`, the search pages, and, with a
`board_id`, the board configuration and `GET /status`; then one PUT per changed issue plus the comment writes.
When the grooming report is written, the completed issues' search pages too (`fetch_completed`).
An issue's comments are read only where it is in doubt which of them are the worker's (`connectors.jira.comments`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from connectors.base import CommentJournal
from connectors.errors import AuthenticationFailed, TrackerConfigError
from connectors.jira.board import board_limits, status_names
from connectors.jira.client import JiraClient
from connectors.jira.comments import doubtful, embedded, marked, resolve
from connectors.jira.errors import JiraRejected
from connectors.jira.fields import FieldCatalog
from connectors.jira.jql import completed_jql
from connectors.jira.mapping import COMMENT_PROPERTY, IssueShape, to_completed, to_issue
from connectors.jira.pagination import NextPageTokenPaginator, Paginator, StartAtPaginator
from connectors.jira.writer import JiraWriter
from syncer.models import (
    OUTPUT_FIELDS,
    ApplyResult,
    CompletedIssue,
    StatusCategory,
    TrackerIssue,
    WipLimit,
    WritebackPlan,
)
from syncer.settings import HttpSettings, JiraTrackerSettings

log = logging.getLogger(__name__)


class JiraConnector:
    def __init__(self, settings: JiraTrackerSettings, *, http: HttpSettings, token: SecretStr | None) -> None:
        self.name = settings.name
        self.settings = settings
        self.http = http
        self.client = JiraClient(settings, token=token, http=http)
        self._shape: IssueShape | None = None
        self._limits: list[WipLimit] | None = None
        self.journal: CommentJournal | None = None
        self.lookups = 0
        """Issues whose comments were read because it was in doubt which of them are the worker's."""

    def use_journal(self, journal: CommentJournal) -> None:
        self.journal = journal

    def shape(self) -> IssueShape:
        """Deployment and field ids, resolved once per run (serverInfo when needed, then `GET /field`)."""
        if self._shape is None:
            cloud = self.client.detect_deployment() == "cloud"
            catalog = FieldCatalog(self.client.fields(), url=self.settings.url)
            inputs = {name: catalog.resolve(ref, key=f"inputs.{name}") for name, ref in self.settings.inputs.items()}
            outputs = {
                name: catalog.resolve_output(name, ref)
                for name in OUTPUT_FIELDS
                if (ref := getattr(self.settings.outputs, name))
            }
            self._shape = IssueShape(
                tracker=self.name,
                base_url=self.settings.url,
                cloud=cloud,
                inputs=inputs,
                outputs=outputs,
                comment=self.settings.outputs.comment,
            )
        return self._shape

    def fetch_issues(self) -> Iterator[TrackerIssue]:
        shape = self.shape()
        paginator: Paginator = NextPageTokenPaginator() if shape.cloud else StartAtPaginator()
        fields = shape.search_fields()
        properties = [COMMENT_PROPERTY] if shape.comment else []
        # Data Center has no statuscategorychangedate: the changelog says when the issue entered its status.
        expand = None if shape.cloud else "changelog"
        first, pulled = True, 0
        journaled = self.journal.unfinished() if self.journal is not None and shape.comment else set()
        settled: list[str] = []
        while paginator.has_next:
            try:
                page = self.client.search(
                    self.settings.jql,
                    fields=fields,
                    properties=properties,
                    expand=expand,
                    max_results=self.settings.page_size,
                    page=paginator.params(),
                )
            except JiraRejected as exc:
                if not first or exc.status != 400:
                    raise
                # A value that "does not exist" may exist but be hidden from an anonymous caller.
                self._check_not_anonymous()
                # A 400 on the first page is Jira refusing the query itself (unknown project, status, field,
                # or syntax): the fix is in `jql`, so say so with Jira's own words.
                reason = "; ".join(exc.messages) or str(exc)
                raise TrackerConfigError(f"jql = {self.settings.jql!r}: Jira refused the query: {reason}") from exc
            first = False
            raws = paginator.update(page)
            last = not paginator.has_next
            log.info("jira.search.page", extra={"page": paginator.pages, "issues": len(raws), "last": last})
            for raw in raws:
                pulled += 1
                issue = to_issue(raw, shape)
                if shape.comment:
                    issue = self._find_comment(issue, raw, journaled=issue.key in journaled)
                    if issue.key in journaled:
                        settled.append(issue.key)
                yield issue
        if self.journal is not None and settled:
            # Read and known now: whatever repair they need is planned from what was found, not from the journal.
            self.journal.finish(settled)
        if pulled == 0:
            self._check_not_anonymous()

    def fetch_completed(self, since: datetime) -> Iterator[CompletedIssue]:
        """Issues in scope resolved since `since`: one more search, paged like the main one, asking only for
        `created` and `resolutiondate` (the team is the key's project). Jira keeps no cheap record of when work
        started (only the changelog, a heavy expansion per issue), so these give lead time, not cycle time."""
        shape = self.shape()
        # `since` was taken at the run's start, seconds ago: a whole number of days back is what was meant (the
        # local filter below drops anything resolved before `since` itself).
        days = max(1, math.ceil((datetime.now(UTC) - since).total_seconds() / 86400 - 0.01))
        jql = completed_jql(self.settings.jql, days, self.settings.flow_jql)
        paginator: Paginator = NextPageTokenPaginator() if shape.cloud else StartAtPaginator()
        count = 0
        while paginator.has_next:
            try:
                page = self.client.search(
                    jql,
                    fields=["created", "resolutiondate"],
                    properties=[],
                    expand=None,
                    max_results=self.settings.page_size,
                    page=paginator.params(),
                )
            except JiraRejected as exc:
                if exc.status != 400:
                    raise
                reason = "; ".join(exc.messages) or str(exc)
                key = "flow_jql" if self.settings.flow_jql is not None else "jql (the scope derived from it)"
                raise TrackerConfigError(f"{key}: Jira refused the completed-issues query {jql!r}: {reason}") from exc
            raws = paginator.update(page)
            log.info("jira.completed.page", extra={"page": paginator.pages, "issues": len(raws)})
            for raw in raws:
                issue = to_completed(raw, shape)
                if issue is not None and issue.completed >= since:
                    count += 1
                    yield issue
        log.info("jira.completed", extra={"issues": count, "pages": paginator.pages, "jql": jql})

    def _check_not_anonymous(self) -> None:
        """An empty backlog or a hidden project can mean Jira served us as the anonymous user: ask who we are.

        Sites that allow anonymous access answer requests without credentials instead of refusing them, so a
        proxy or redirect that drops the Authorization header looks like an empty backlog, not a 401.
        """
        try:
            self.client.myself()
        except AuthenticationFailed as exc:
            raise AuthenticationFailed(
                f"Jira at {self.settings.url} answered as the anonymous user: the credentials were not used "
                f"({self.client.credential}). The site serves anonymous requests, so the backlog looked empty or "
                "the project hidden; check for a proxy or redirect that drops the Authorization header, and that "
                "`url` is the address Jira answers on (https, no redirect)."
            ) from exc

    def _find_comment(self, issue: TrackerIssue, raw: dict[str, Any], *, journaled: bool) -> TrackerIssue:
        seen = embedded(raw.get("fields") or {})
        done = issue.status_category is StatusCategory.DONE  # never commented again: not worth a read
        if journaled or (not done and doubtful(issue.comment, seen, journaled=False)):
            self.lookups += 1
            found = resolve(issue.comment, marked(self.client.all_comments(issue.key)))
            log.info("jira.comment-lookup issue=%s journaled=%s found=%s", issue.key, journaled, found)
        elif seen is not None and (seen.complete or issue.comment is None):
            found = resolve(issue.comment, list(seen.marked))
        else:
            return issue  # the property is trusted: nothing on the page contradicts it
        return issue if found == issue.comment else dataclasses.replace(issue, comment=found)

    def wip_limits(self) -> list[WipLimit]:
        if self.settings.board_id is None:
            return []
        if self._limits is None:
            config = self.client.board_configuration(self.settings.board_id)
            self._limits = board_limits(config, status_names(self.client.statuses()))
            log.info("jira.board-limits board=%s limits=%d", self.settings.board_id, len(self._limits))
        return self._limits

    def apply(self, plan: WritebackPlan) -> ApplyResult:
        shape = self.shape()
        writer = JiraWriter(
            self.client,
            outputs=shape.outputs,
            notify=self.settings.notify_users,
            concurrency=self.http.write_concurrency,
            max_concurrency=self.http.max_write_concurrency,
            cloud=shape.cloud,
            journal=self.journal,
        )
        return writer.apply(plan)

    def close(self) -> None:
        self.client.close()
