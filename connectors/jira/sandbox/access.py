"""Who a request is: the account, anonymous, or refused, as each deployment decides it.

A request with credentials that do not match is refused with 401 and a `WWW-Authenticate` challenge. A request
with none is refused the same way unless the site allows anonymous access (`anonymous`); then Jira serves it as
the anonymous user, who sees only what anonymous users may browse (`anonymous_browse`): with no browse
permission the project does not exist for them, so `project = ACME` is a 400 and any other query is empty —
the trap of a credential that never arrived. `myself` answers 401 to the anonymous user; writes are refused.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import quote

from connectors.jira.sandbox.state import JiraState
from connectors.sandbox_http import SandboxResponse

Caller = Literal["account", "anonymous", "refused"]
NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."
MYSELF_ANONYMOUS = "Client must be authenticated to access this resource."


@dataclass
class Access:
    anonymous: bool = False
    """The site serves requests without credentials (as the anonymous user) instead of answering 401."""
    anonymous_browse: bool = False
    """The anonymous user may browse the project (a public project)."""


def caller(state: JiraState, access: Access, header: str) -> Caller:
    account = state.account
    if not header:
        return "anonymous" if access.anonymous else "refused"
    if state.mode == "datacenter":
        # Data Center takes a personal access token as Bearer, or basic auth with the username and password.
        basic = base64.b64encode(f"{account.email}:{account.token}".encode()).decode()
        return "account" if header in (f"Bearer {account.token}", f"Basic {basic}") else "refused"
    expected = base64.b64encode(f"{account.email}:{account.token}".encode()).decode()
    return "account" if header == f"Basic {expected}" else "refused"


def unauthorised(base_url: str, state: JiraState) -> SandboxResponse:
    headers = {"WWW-Authenticate": f'OAuth realm="{quote(base_url, safe="")}"'}
    if state.mode == "datacenter":
        headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
    return SandboxResponse(401, {"errorMessages": [NOT_AUTHENTICATED], "errors": {}}, headers)


def anonymous_view(state: JiraState, access: Access) -> JiraState:
    """The instance as the anonymous user sees it: without browse permission, no project and no issues."""
    if access.anonymous_browse:
        return state
    return replace(state, project="", issues=[], boards=[])
