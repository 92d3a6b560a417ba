"""Query-side resolvers: root queries, relations between records, and nested connections.

graphql-core's default resolver reads scalar fields straight from the record dicts; this table adds what a dict
cannot answer on its own (relations by id, connections with filters and pages, computed fields).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from graphql import GraphQLResolveInfo, default_field_resolver

from connectors.linear.sandbox.connections import Ordered, connection, input_error, order
from connectors.linear.sandbox.filters import matches
from connectors.linear.sandbox.served import ALWAYS_EMPTY, RECORD_TYPES, default_value
from connectors.linear.sandbox.store import Record, Workspace

Resolver = Callable[..., Any]
Info = GraphQLResolveInfo[Any]
PRIORITY_LABELS = {0: "No priority", 1: "Urgent", 2: "High", 3: "Medium", 4: "Low"}


def ws_of(info: Info) -> Workspace:
    context: SandboxContext = info.context
    return context.workspace


class SandboxContext:
    """Per-request context: the workspace and who is asking (for `viewer` and comment authors)."""

    def __init__(self, workspace: Workspace, *, principal: str, rate_limit: dict[str, Any]) -> None:
        self.workspace = workspace
        self.principal = principal
        self.rate_limit = rate_limit


LISTINGS_KEPT = 32
"""Ordered root listings kept for their next pages (one per filter and order a client is paging through)."""


def page_of(
    info: Info, type_name: str, records: Iterable[Record], args: dict[str, Any], *, listing: str | None = None
) -> Any:
    """Filter (`filter`, `includeArchived`), order (`orderBy`) and page `records` as a connection.

    A root list names its `listing`: the filtered, ordered result is kept (per filter, order and workspace
    version) for the pages after the first, so a cursor page costs its own size. A first page (no cursor) is
    always computed afresh, so a listing started after records were edited in place (tests do) sees the edits.
    """
    ws = ws_of(info)
    spec = args.get("filter")
    key: tuple[Any, ...] | None = None
    if listing is not None:
        key = (
            listing,
            type_name,
            json.dumps(spec, sort_keys=True, default=str),
            bool(args.get("includeArchived")),
            args.get("orderBy"),
        )
        cached = ws.listings.get(key)
        if cached is not None and cached[0] == ws.version and (args.get("after") or args.get("before")):
            ordered: Ordered = cached[1]
            return connection(ordered, args)
    keep = (
        r
        for r in records
        if (args.get("includeArchived") or not r.get("archivedAt")) and matches(ws, type_name, r, spec)
    )
    ordered = order(keep, args.get("orderBy"))
    if key is not None:
        ws.listings.pop(key, None)
        ws.listings[key] = (ws.version, ordered)
        while len(ws.listings) > LISTINGS_KEPT:
            ws.listings.pop(next(iter(ws.listings)))
    return connection(ordered, args)


def _lookup(table: str, key: str) -> Resolver:
    def resolve(source: Record, info: Info, **_: Any) -> Record | None:
        ref = source.get(key)
        return getattr(ws_of(info), table).get(ref) if ref else None

    return resolve


def _children(table: str, type_name: str, ids_key: str) -> Resolver:
    def resolve(source: Record, info: Info, **args: Any) -> Any:
        rows = getattr(ws_of(info), table)
        return page_of(info, type_name, (rows[i] for i in source.get(ids_key, ()) if i in rows), args)

    return resolve


def _where(table: str, type_name: str, key: str) -> Resolver:
    def resolve(source: Record, info: Info, **args: Any) -> Any:
        rows = getattr(ws_of(info), table).values()
        return page_of(info, type_name, (r for r in rows if r.get(key) == source["id"]), args)

    return resolve


def _root_list(table: str, type_name: str) -> Resolver:
    def resolve(_source: Any, info: Info, **args: Any) -> Any:
        return page_of(info, type_name, getattr(ws_of(info), table).values(), args, listing=table)

    return resolve


def _root_get(table: str, what: str) -> Resolver:
    def resolve(_source: Any, info: Info, id: str | None = None, **_: Any) -> Record:
        ws = ws_of(info)
        id = id or ""
        record = ws.find_issue(id) if table == "issues" else getattr(ws, table).get(id)
        if table == "teams" and record is None:
            record = next((t for t in ws.teams.values() if t["key"] == id), None)
        if record is None:
            raise input_error(f"Entity not found: {what} - Could not find referenced {what}.")
        return record

    return resolve


def _attachments_for_url(_source: Any, info: Info, url: str, **args: Any) -> Any:
    rows = ws_of(info).attachments.values()
    return page_of(info, "Attachment", (a for a in rows if a["url"] == url), args)


def _viewer(_source: Any, info: Info) -> Record:
    ws = ws_of(info)
    return ws.users[ws.viewer_id]


def _rate_limit_status(_source: Any, info: Info) -> dict[str, Any]:
    context: SandboxContext = info.context
    return context.rate_limit


def _attachment(_source: Any, info: Info, id: str) -> Record:
    record = ws_of(info).attachments.get(id)
    if record is None:
        # Linear's deprecated lookup by URL (`attachment(id: <url>)`) is not modelled: use attachmentsForURL.
        raise input_error("Entity not found: Attachment - Could not find referenced Attachment.")
    return record


def _shared_access(_source: Record, _info: Info) -> dict[str, Any]:
    # Issues are never shared outside their team here.
    return {
        "isShared": False,
        "viewerHasOnlySharedAccess": False,
        "sharedWithCount": 0,
        "sharedWithUsers": [],
        "disallowedIssueFields": [],
    }


def _team_issues(source: Record, info: Info, **args: Any) -> Any:
    rows = ws_of(info).issues.values()
    listing = f"team-issues:{source['id']}"
    return page_of(info, "Issue", (i for i in rows if i["teamId"] == source["id"]), args, listing=listing)


def _team_labels(source: Record, info: Info, **args: Any) -> Any:
    rows = ws_of(info).labels.values()
    return page_of(info, "IssueLabel", (lb for lb in rows if lb["teamId"] in (None, source["id"])), args)


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("Query", "issues"): _root_list("issues", "Issue"),
    ("Query", "teams"): _root_list("teams", "Team"),
    ("Query", "issueLabels"): _root_list("labels", "IssueLabel"),
    ("Query", "workflowStates"): _root_list("states", "WorkflowState"),
    ("Query", "users"): _root_list("users", "User"),
    ("Query", "comments"): _root_list("comments", "Comment"),
    ("Query", "issue"): _root_get("issues", "Issue"),
    ("Query", "team"): _root_get("teams", "Team"),
    ("Query", "issueLabel"): _root_get("labels", "IssueLabel"),
    ("Query", "comment"): _root_get("comments", "Comment"),
    ("Query", "workflowState"): _root_get("states", "WorkflowState"),
    ("Query", "user"): _root_get("users", "User"),
    ("Query", "attachmentsForURL"): _attachments_for_url,
    ("Query", "viewer"): _viewer,
    ("Query", "attachment"): _attachment,
    ("Query", "rateLimitStatus"): _rate_limit_status,
    ("Issue", "team"): _lookup("teams", "teamId"),
    ("Issue", "state"): _lookup("states", "stateId"),
    ("Issue", "assignee"): _lookup("users", "assigneeId"),
    ("Issue", "parent"): _lookup("issues", "parentId"),
    ("Issue", "labels"): _children("labels", "IssueLabel", "labelIds"),
    ("Issue", "attachments"): _children("attachments", "Attachment", "attachmentIds"),
    ("Issue", "comments"): _children("comments", "Comment", "commentIds"),
    ("Issue", "needs"): _children("needs", "CustomerNeed", "needIds"),
    ("Issue", "creator"): _lookup("users", "creatorId"),
    **{key: (lambda _s, _i, **_: []) for key in ALWAYS_EMPTY},
    ("Issue", "sharedAccess"): _shared_access,
    ("Issue", "children"): _where("issues", "Issue", "parentId"),
    ("Issue", "priorityLabel"): lambda s, _i, **_: PRIORITY_LABELS.get(int(s["priority"]), "No priority"),
    ("Team", "states"): _where("states", "WorkflowState", "teamId"),
    ("Team", "issues"): _team_issues,
    ("Team", "labels"): _team_labels,
    ("WorkflowState", "team"): _lookup("teams", "teamId"),
    ("IssueLabel", "parent"): _lookup("labels", "parentId"),
    ("IssueLabel", "team"): _lookup("teams", "teamId"),
    ("IssueLabel", "children"): _where("labels", "IssueLabel", "parentId"),
    ("Attachment", "issue"): _lookup("issues", "issueId"),
    ("Attachment", "creator"): _lookup("users", "creatorId"),
    ("Comment", "issue"): _lookup("issues", "issueId"),
    ("Comment", "user"): _lookup("users", "userId"),
    ("CustomerNeed", "issue"): _lookup("issues", "issueId"),
}


def field_resolver(source: Any, info: Info, **args: Any) -> Any:
    """Resolve from `RESOLVERS` (root queries and mutations included), else read the record's own field."""
    resolver = RESOLVERS.get((info.parent_type.name, info.field_name))
    if resolver is not None:
        return resolver(source, info, **args)
    if isinstance(source, dict) and info.field_name not in source and info.parent_type.name in RECORD_TYPES:
        return default_value(info.parent_type.name, info.field_name, source, info)
    return default_field_resolver(source, info, **args)
