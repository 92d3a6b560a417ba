"""The sandbox's request handler: credentials, spec validation, then routing to the resource handlers.

One lock serialises handlers (the HTTP server is threaded; the state is plain data). Faults and delays are
injected outside it, by `connectors.sandbox_http`, so a slow or failing request never holds the lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from connectors.jira.sandbox import issues, search, setup
from connectors.jira.sandbox.access import MYSELF_ANONYMOUS, Access, anonymous_view, caller, unauthorised
from connectors.jira.sandbox.ratelimit import RateLimiter, RateLimits
from connectors.jira.sandbox.render import (
    comment_json,
    field_json,
    issue_json,
    status_json,
    user_json,
    wanted_fields,
)
from connectors.jira.sandbox.state import JiraState
from connectors.jira.sandbox.tokens import TokenStore
from connectors.jira.sandbox.validation import spec_problem
from connectors.sandbox_http import SandboxRequest, SandboxResponse

API = r"^/rest/api/(?P<v>2|3|latest)"
Handler = Callable[[SandboxRequest, dict[str, str]], SandboxResponse]


def _error(status: int, message: str) -> SandboxResponse:
    return SandboxResponse(status, {"errorMessages": [message], "errors": {}})


class JiraApp:
    def __init__(
        self,
        state: JiraState,
        *,
        base_url: str = "",
        page_cap: int = 100,
        dc_max_results: int = 1000,
        validate: bool = True,
        rate_limits: RateLimits | None = None,
        access: Access | None = None,
    ):
        self.state = state
        self.validate = validate
        """Check requests against the OpenAPI specs (about 3 ms each); off only to time the client alone."""
        self.base_url = base_url
        self.page_cap = page_cap
        self.dc_max_results = dc_max_results
        self.lock = threading.RLock()
        self.limiter = RateLimiter(rate_limits or RateLimits())
        self.access = access or Access()
        self.tokens = TokenStore()
        """Cloud page tokens; set `tokens.ttl` to make them expire sooner."""
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        for method, pattern, handler in [
            ("GET", API + r"/serverInfo$", self._server_info),
            ("GET", API + r"/myself$", self._myself),
            ("GET", API + r"/field$", self._fields),
            ("GET", API + r"/status$", self._statuses),
            ("GET|POST", API + r"/search/jql$", self._search_jql),
            ("GET|POST", API + r"/search$", self._search),
            ("GET|PUT", API + r"/issue/(?P<key>[^/]+)$", self._issue),
            ("GET|POST", API + r"/issue/(?P<key>[^/]+)/comment$", self._comments),
            ("GET|PUT|DELETE", API + r"/issue/(?P<key>[^/]+)/comment/(?P<id>[^/]+)$", self._comment),
            ("GET|PUT|DELETE", API + r"/issue/(?P<key>[^/]+)/properties/(?P<prop>[^/]+)$", self._property),
            ("GET", r"^/rest/agile/1\.0/board/(?P<board>\d+)/configuration$", self._board),
            ("POST", API + r"/search/approximate-count$", self._approximate_count),
            ("GET", API + r"/issue/(?P<key>[^/]+)/editmeta$", self._editmeta),
            ("GET", API + r"/mypermissions$", self._mypermissions),
            ("POST", API + r"/field$", self._create_field),
            ("GET", API + r"/field/(?P<field>[^/]+)/context$", self._field_contexts),
            ("POST", API + r"/field/(?P<field>[^/]+)/context/(?P<ctx>[^/]+)/option$", self._add_options),
        ]:
            self.routes.append((method, re.compile(pattern), handler))

    # -- entry ----------------------------------------------------------------------------------------------

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        who = caller(self.state, self.access, request.headers.get("authorization", ""))
        if who == "refused":
            return unauthorised(self.base_url, self.state)
        for methods, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and request.method in methods.split("|"):
                params = {k: v for k, v in match.groupdict().items() if v is not None}
                if self.state.mode == "datacenter" and params.get("v") == "3":
                    break  # Data Center has no REST v3
                # The published OpenAPI spec is Cloud's: Data Center's REST v2 is its own API, checked by its handlers.
                cloud = self.state.mode == "cloud"
                problem = spec_problem(request) if self.validate and cloud else None  # stateless: outside the lock
                if problem:
                    return _error(400, problem)
                with self.lock:
                    issue = self.state.issue(params["key"]) if "key" in params else None
                    refusal, headers = self.limiter.check(request.method, request.path, issue.key if issue else None)
                    if refusal is not None:
                        return refusal
                    response = self._anonymous(request, handler, params) if who == "anonymous" else None
                    if response is None:
                        response = handler(request, params)
                response.headers.update(headers)
                return response
        return _error(404, f"No resource at {request.method} {request.path}")

    def _anonymous(self, request: SandboxRequest, handler: Handler, params: dict[str, str]) -> SandboxResponse:
        """A request without credentials on a site that serves the anonymous user (under the lock)."""
        reads = request.method == "GET" or request.path.endswith(("/search", "/search/jql", "/approximate-count"))
        if handler == self._myself:
            response = unauthorised(self.base_url, self.state)
            response.body = {"errorMessages": [MYSELF_ANONYMOUS], "errors": {}}
        elif not reads:
            response = unauthorised(self.base_url, self.state)
        else:
            original = self.state
            self.state = anonymous_view(original, self.access)
            try:
                response = handler(request, params)
            finally:
                self.state = original
        if self.state.mode == "datacenter":
            response.headers["X-AUSERNAME"] = "anonymous"
        return response

    def _version(self, params: dict[str, str]) -> str:
        return "3" if params.get("v") == "3" else "2"

    # -- meta -----------------------------------------------------------------------------------------------

    def _server_info(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        cloud = self.state.mode == "cloud"
        return SandboxResponse(
            200,
            {
                "baseUrl": self.base_url,
                "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
                "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
                "deploymentType": "Cloud" if cloud else "Server",
                "buildNumber": 100280 if cloud else 9120002,
                "serverTitle": "Jira sandbox",
            },
        )

    def _myself(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        user = user_json(self.state, self.state.account.display_name) or {}
        return SandboxResponse(200, {**user, "emailAddress": self.state.account.email})

    def _fields(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        return SandboxResponse(200, [field_json(f) for f in self.state.fields])

    def _statuses(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        version = self._version(params)
        return SandboxResponse(
            200, [status_json(self.state, self.base_url, s.id, version) for s in self.state.statuses]
        )

    def _board(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        board = self.state.board(int(params["board"]))
        if board is None:
            return _error(404, f"Board {params['board']} does not exist or you do not have permission to see it.")
        columns = [
            {
                "name": c["name"],
                "statuses": [{"id": s, "self": f"{self.base_url}/rest/api/2/status/{s}"} for s in c["statuses"]],
                **{k: c[k] for k in ("min", "max") if k in c},
            }
            for c in board.columns
        ]
        return SandboxResponse(
            200,
            {
                "id": board.id,
                "name": board.name,
                "type": "kanban",
                "location": {"type": "project", "projectKeyOrId": self.state.project},
                "columnConfig": {"columns": columns, "constraintType": board.constraint},
            },
        )

    # -- search ---------------------------------------------------------------------------------------------

    def _search_jql(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        if self.state.mode != "cloud":
            return _error(404, "search/jql is not available on this Jira Data Center version")
        return search.search_jql(
            self.state,
            self.base_url,
            request,
            page_cap=self.page_cap,
            tokens=self.tokens,
            version=self._version(params),
        )

    def _search(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        if self.state.mode == "cloud":
            return _error(410, "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.")
        return search.search_offset(
            self.state, self.base_url, request, max_cap=self.dc_max_results, version=self._version(params)
        )

    # -- issues ---------------------------------------------------------------------------------------------

    def _issue(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        issue = self.state.issue(params["key"])
        if issue is None:
            return _error(404, "Issue does not exist or you do not have permission to see it.")
        if request.method == "PUT":
            if "EDIT_ISSUES" in self.state.account.denied:
                return _error(403, "You do not have permission to edit issues in this project.")
            return issues.edit_issue(self.state, self.base_url, issue, request, self._version(params))
        requested = search.split_list(request.query.get("fields")) or ["*all"]
        properties = search.split_list(request.query.get("properties"))
        body = issue_json(
            self.state,
            self.base_url,
            issue,
            fields=wanted_fields(self.state, requested),
            properties=properties,
            expand=set(search.split_list(request.query.get("expand"))),
            version=self._version(params),
        )
        return SandboxResponse(200, body)

    def _comments(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        issue = self.state.issue(params["key"])
        if issue is None:
            return _error(404, "Issue does not exist or you do not have permission to see it.")
        version = self._version(params)
        if request.method == "POST":
            if "ADD_COMMENTS" in self.state.account.denied:
                return _error(403, "You do not have the permission to comment on this issue.")
            return issues.add_comment(self.state, self.base_url, issue, request, version)
        return issues.list_comments(self.state, self.base_url, issue, request, version)

    def _comment(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        issue = self.state.issue(params["key"])
        if issue is None:
            return _error(404, "Issue does not exist or you do not have permission to see it.")
        version = self._version(params)
        if request.method == "PUT":
            return issues.update_comment(self.state, self.base_url, issue, params["id"], request, version)
        if request.method == "DELETE":
            return issues.delete_comment(issue, params["id"])
        comment = next((c for c in issue.comments if c.id == params["id"]), None)
        if comment is None:
            return _error(404, f"Comment {params['id']} does not exist.")
        return SandboxResponse(200, comment_json(self.state, self.base_url, issue, comment, version))

    # -- setup checks (syncer doctor) -------------------------------------------------------------------

    def _approximate_count(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        if self.state.mode != "cloud":
            return _error(404, "search/approximate-count is not available on this Jira Data Center version")
        return setup.approximate_count(self.state, request)

    def _editmeta(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        issue = self.state.issue(params["key"])
        if issue is None:
            return _error(404, "Issue does not exist or you do not have permission to see it.")
        return setup.editmeta(self.state, self.base_url, issue)

    def _mypermissions(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        return setup.mypermissions(self.state, request)

    def _create_field(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        return setup.create_field(self.state, request)

    def _field_contexts(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        return setup.field_contexts(self.state, params["field"])

    def _add_options(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        return setup.add_options(self.state, params["field"], request)

    def _property(self, request: SandboxRequest, params: dict[str, str]) -> SandboxResponse:
        issue = self.state.issue(params["key"])
        if issue is None:
            return _error(404, "Issue does not exist or you do not have permission to see it.")
        return issues.property_route(issue, params["prop"], request)
