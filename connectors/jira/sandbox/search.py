"""Issue search as each deployment pages it.

Cloud `search/jql`: an opaque `nextPageToken`, absent (not null) on the last page, no `total`; pages hold at most
`page_cap` issues whatever `maxResults` asks when more than a few fields are requested, like the real service.
Data Center `/search`: `startAt`/`maxResults`/`total`, with `maxResults` capped by the instance setting.
The old `/search` is gone on Cloud (410) and `search/jql` does not exist on Data Center (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.jira.sandbox import jql
from connectors.jira.sandbox.render import expansions, issue_json, wanted_fields
from connectors.jira.sandbox.state import JiraState
from connectors.jira.sandbox.tokens import INVALID, TokenStore
from connectors.sandbox_http import SandboxRequest, SandboxResponse

MAX_PROPERTIES = 5
ID_ONLY_CAP = 5000
VALIDATE_QUERY = ("strict", "warn", "none", "true", "false")
TOP_LEVEL = frozenset({"names", "schema"})
"""Search answers carry these once for the page, not on each issue."""


@dataclass(frozen=True)
class SearchArgs:
    jql: str
    fields: list[str]
    properties: list[str]
    expand: set[str]
    max_results: int
    next_token: str | None = None
    start_at: int = 0
    reconcile: tuple[str, ...] = ()
    fields_by_keys: bool = False

    def identity(self) -> dict[str, Any]:
        """What a page token is bound to: the whole request but the token (GET and POST alike)."""
        return {
            "jql": self.jql,
            "fields": self.fields,
            "properties": self.properties,
            "expand": sorted(self.expand),
            "maxResults": self.max_results,
            "reconcileIssues": list(self.reconcile),
            "fieldsByKeys": self.fields_by_keys,
        }


def split_list(values: Any) -> list[str]:
    """Query lists come repeated (`fields=a&fields=b`) or comma-joined; POST bodies as JSON arrays."""
    if values is None:
        return []
    items = values if isinstance(values, list) else [values]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def parse_args(request: SandboxRequest, *, default_fields: list[str]) -> SearchArgs:
    if request.method == "POST":
        body = request.json() or {}
        get = body.get
        expand = body.get("expand")
    else:
        query = request.query

        def get(name: str, default: Any = None) -> Any:
            values = query.get(name)
            return values if values and name in ("fields", "properties") else (values[0] if values else default)

        expand = get("expand")
    fields = split_list(get("fields")) or default_fields
    return SearchArgs(
        jql=str(get("jql") or ""),
        fields=fields,
        properties=split_list(get("properties")),
        expand=set(split_list(expand)),
        max_results=int(get("maxResults", 50)),
        next_token=get("nextPageToken"),
        start_at=int(get("startAt", 0)),
        reconcile=tuple(split_list(get("reconcileIssues"))),
        fields_by_keys=str(get("fieldsByKeys", False)).lower() == "true",
    )


def _error(status: int, *messages: str) -> SandboxResponse:
    return SandboxResponse(status, {"errorMessages": list(messages), "errors": {}})


def search_jql(
    state: JiraState, base: str, request: SandboxRequest, *, page_cap: int, tokens: TokenStore, version: str = "3"
) -> SandboxResponse:
    args = parse_args(request, default_fields=["id"])
    if len(args.properties) > MAX_PROPERTIES:
        return _error(400, f"At most {MAX_PROPERTIES} issue properties can be requested.")
    offset, kept = 0, None
    found = tokens.page(args.next_token, args.identity()) if args.next_token else None
    if found is not None:
        offset, kept = found
    if kept is None:
        # A token is bound to the whole request, JQL included, and kept the order of a JQL that parsed: a later
        # page skips parsing it again (which looks at every issue for the users and keys it names).
        try:
            query = jql.parse(state, args.jql, bounded=True)
        except jql.JqlError as exc:
            return _error(400, *exc.messages)
        if args.next_token and found is None:
            return _error(400, INVALID)
    # Later pages read the order the first page fixed (Jira's own paging is not a snapshot either, but a sync
    # writes only after its last page, so nothing it reads moves underneath it).
    matches = kept if kept is not None else jql.run(state, query)
    fields = wanted_fields(state, args.fields)
    cap = ID_ONLY_CAP if not fields else page_cap
    size = max(1, min(args.max_results, cap))
    page = matches[offset : offset + size]
    body: dict[str, Any] = {
        "issues": [
            issue_json(
                state,
                base,
                i,
                fields=fields,
                properties=args.properties,
                expand=args.expand - TOP_LEVEL,
                version=version,
            )
            for i in page
        ],
        "isLast": offset + size >= len(matches),
        **expansions(state, fields, args.expand),
    }
    if not body["isLast"]:
        body["nextPageToken"] = tokens.issue(offset + size, args.identity(), matches)
    return SandboxResponse(200, body)


def search_offset(
    state: JiraState, base: str, request: SandboxRequest, *, max_cap: int, version: str = "2"
) -> SandboxResponse:
    # Data Center's own checks (the Cloud spec does not describe this API): numbers, validateQuery's values.
    try:
        args = parse_args(request, default_fields=["*navigable"])
    except (ValueError, TypeError):
        return _error(400, "startAt and maxResults must be whole numbers.")
    # validateQuery: strict/true (the default) refuses values that do not exist; warn lists them; none/false not.
    given = (request.json() or {}).get("validateQuery") if request.method == "POST" else request.param("validateQuery")
    validate = str(given if given is not None else "strict").lower()
    if validate not in VALIDATE_QUERY:
        return _error(400, f"validateQuery must be one of {', '.join(VALIDATE_QUERY)}, not {given!r}.")
    if args.start_at < 0:
        return _error(400, "startAt must be 0 or more.")
    try:
        query = jql.parse(state, args.jql, bounded=False, strict=validate in ("strict", "true"))
    except jql.JqlError as exc:
        return _error(400, *exc.messages)
    matches = jql.run(state, query)
    size = max(0, min(args.max_results, max_cap))
    page = matches[args.start_at : args.start_at + size]
    fields = wanted_fields(state, args.fields)
    return SandboxResponse(
        200,
        {
            "expand": "schema,names",
            "startAt": args.start_at,
            "maxResults": size,
            "total": len(matches),
            **expansions(state, fields, args.expand),
            **({"warningMessages": query.warnings} if query.warnings and validate == "warn" else {}),
            "issues": [
                issue_json(
                    state,
                    base,
                    i,
                    fields=fields,
                    properties=args.properties,
                    expand=args.expand - TOP_LEVEL,
                    version=version,
                )
                for i in page
            ],
        },
    )
