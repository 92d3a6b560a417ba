"""`JiraClient`: the one narrow door to Jira. One method per endpoint, plain JSON in and out, no business rules.

python-jira serves the auth modes, serverInfo and the field list. Every other call goes straight to the REST
endpoint on python-jira's own authenticated session, because python-jira would cost extra requests there:
`Issue.update()`/`Comment.update()` re-GET the resource after each PUT, and `search_issues()` builds a
clause-name cache with a second `GET /field` and pages `search/jql` only when it believes the server is Cloud.

Every request has a timeout (set on the session) and runs through the shared tenacity policy; a read that still
fails after the last attempt becomes `TrackerUnavailable`. Writes are left to the writer, which knows whether a
retry is safe (`retrying`, `add_comment`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from jira import JIRAError
from pydantic import SecretStr
from tenacity import Retrying

from connectors.concurrency import AdaptiveLimit
from connectors.errors import (
    AuthenticationFailed,
    RateLimitedError,
    RetriableConnectorError,
    TrackerConfigError,
    TrackerUnavailable,
)
from connectors.jira.errors import JiraRejected, error_for_exception, error_for_response
from connectors.jira.session import Deployment, api_version, describe_credential, open_jira, uses_basic_auth
from connectors.retry import build_retrying
from syncer import metrics
from syncer.settings import HttpSettings, JiraTrackerSettings

log = logging.getLogger(__name__)
T = TypeVar("T")

SEARCH_JQL = "search/jql"  # Cloud: token-paged; the old /search answers 410 Gone there.
SEARCH_OFFSET = "search"  # Data Center: startAt/total.
BOARD_CONFIG = "/rest/agile/1.0/board/{board_id}/configuration"


class JiraClient:
    def __init__(
        self,
        settings: JiraTrackerSettings,
        *,
        token: SecretStr | None,
        http: HttpSettings,
        retrying: Retrying | None = None,
    ) -> None:
        self.base_url = settings.url
        self.deployment: Deployment | None = settings.deployment
        self.credential = describe_credential(settings)
        self._bare_token = not uses_basic_auth(settings)
        self._jira = open_jira(settings, token=token, http=http, deployment=settings.deployment)
        self._retrying = retrying or build_retrying(http)
        self._authenticated = False
        self.attempts = http.max_attempts
        self.max_retry_after = http.max_retry_after
        self.limiter: AdaptiveLimit | None = None
        """Set by the writer while it writes: told about every answer, so write concurrency follows Jira's."""

    # -- plumbing -----------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith("/"):
            return self.base_url + path
        return f"{self.base_url}/rest/api/{api_version(self.deployment or 'datacenter')}/{path}"

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """One attempt; returns the parsed JSON body (None when empty) or raises from the error tree."""
        url = self._url(path)
        what = f"{method} {url.removeprefix(self.base_url)}"
        response = self._translated(what, lambda: self._jira._session.request(method, url, params=params, json=body))
        if self.limiter is not None:
            # Jira Cloud flags an answer sent with under 20 % of a budget left: slow down before the 429s start.
            if response.headers.get("X-RateLimit-NearLimit", "").lower() == "true":
                self.limiter.throttled()
            else:
                self.limiter.answered()
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise self._not_json(what) from exc

    def _translated(self, what: str, call: Callable[[], T]) -> T:
        """One request (ours or python-jira's), its exceptions mapped onto our error tree (and counted)."""
        try:
            result = self._translated_once(what, call)
        except Exception as exc:
            metrics.count_request(metrics.request_outcome(exc))
            raise
        metrics.count_request("ok")
        return result

    def _translated_once(self, what: str, call: Callable[[], T]) -> T:
        try:
            result = call()
        except requests.exceptions.JSONDecodeError as exc:  # also a RequestException: not worth a retry
            raise self._not_json(what) from exc
        except JIRAError as exc:
            # ResilientSession raises on any non-2xx; the response it carries is what we classify.
            if exc.response is None:
                raise TrackerUnavailable(f"{what}: {exc.text}") from exc
            if exc.response.status_code == 429 and self.limiter is not None:
                self.limiter.throttled()
            raise self._error(exc.response, what) from None
        except requests.RequestException as exc:
            raise error_for_exception(exc, what=what, base_url=self.base_url) from exc
        self._authenticated = True
        return result

    def _not_json(self, what: str) -> TrackerUnavailable:
        # A proxy, an SSO login page or a url without the context path answers 200 with HTML.
        return TrackerUnavailable(f"{what}: Jira at {self.base_url} did not answer JSON; is `url` the Jira base URL?")

    def _error(self, response: requests.Response, what: str) -> Exception:
        error = error_for_response(
            response,
            what=what,
            base_url=self.base_url,
            credential=self.credential,
            authenticated=self._authenticated,
        )
        if isinstance(error, AuthenticationFailed) and self._bare_token and self.deployment != "datacenter":
            # A token without `email` goes as a Data Center Bearer PAT; Jira Cloud refuses that form outright.
            return AuthenticationFailed(
                f"{error} If this is Jira Cloud, set `email`: a Cloud API token is sent with the account's e-mail "
                "(basic auth); a token alone is sent as a Data Center personal access token."
            )
        return error

    def retry(self, attempt: Callable[[], T]) -> T:
        """Run `attempt` under the shared policy (a fresh copy: writes run on several threads)."""
        return self._retrying.copy()(attempt)

    def gave_up(self, exc: RetriableConnectorError) -> str:
        """Why retrying stopped, for the run report."""
        if isinstance(exc, RateLimitedError) and (exc.retry_after or 0) > self.max_retry_after:
            return (
                f"Jira at {self.base_url} asked to wait {exc.retry_after:.0f} s, longer than [http] "
                f"max_retry_after ({self.max_retry_after:.0f} s); the next run tries again: {exc}"
            )
        return f"Jira at {self.base_url} kept failing after {self.attempts} attempts: {exc}"

    def read(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._retried(lambda: self.send(method, path, **kwargs))

    def _python_jira(self, what: str, call: Callable[[], T]) -> T:
        """A python-jira call under the same policy and error mapping as our own requests."""
        return self._retried(lambda: self._translated(what, call))

    def _retried(self, attempt: Callable[[], T]) -> T:
        """`attempt` under the retry policy; still failing after it, the tracker is unavailable for this run."""
        try:
            return self.retry(attempt)
        except RetriableConnectorError as exc:
            raise TrackerUnavailable(self.gave_up(exc)) from exc

    # -- reads ----------------------------------------------------------------------------------------------

    def server_info(self) -> dict[str, Any]:
        info: dict[str, Any] = self._python_jira("GET serverInfo", self._jira.server_info)
        return info

    def detect_deployment(self) -> Deployment:
        """The configured deployment, else the one serverInfo reports (one request, once)."""
        if self.deployment is None:
            info = self.server_info()
            self.deployment = "cloud" if info.get("deploymentType") == "Cloud" else "datacenter"
            self._jira._options["rest_api_version"] = api_version(self.deployment)
            log.info("jira.deployment-detected url=%s deployment=%s", self.base_url, self.deployment)
        return self.deployment

    def myself(self) -> dict[str, Any]:
        """The account the requests run as; Jira answers 401 when it served them as the anonymous user."""
        me: dict[str, Any] = self.read("GET", "myself")
        return me

    def fields(self) -> list[dict[str, Any]]:
        fields: list[dict[str, Any]] = self._python_jira("GET field", self._jira.fields)
        return fields

    def statuses(self) -> list[dict[str, Any]]:
        statuses: list[dict[str, Any]] = self.read("GET", "status")
        return statuses

    def board_configuration(self, board_id: int) -> dict[str, Any]:
        config: dict[str, Any] = self.read("GET", BOARD_CONFIG.format(board_id=board_id))
        return config

    def search(
        self,
        jql: str,
        *,
        fields: list[str],
        properties: list[str],
        expand: str | None,
        max_results: int,
        page: Mapping[str, Any],
    ) -> dict[str, Any]:
        """One page of issues; `page` holds the paginator's cursor (nextPageToken or startAt)."""
        if self.detect_deployment() == "cloud":
            # POST keeps long JQL and field lists out of the URL; its body is strict (no startAt, no nulls).
            body: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": max_results, **page}
            if properties:
                body["properties"] = properties
            if expand:
                body["expand"] = expand  # a comma-separated string even in the POST body
            result: dict[str, Any] = self.read("POST", SEARCH_JQL, body=body)
            return result
        # Data Center rejects `properties` in the POST body, so search with GET there.
        params: dict[str, Any] = {"jql": jql, "fields": ",".join(fields), "maxResults": max_results, **page}
        if properties:
            params["properties"] = ",".join(properties)
        if expand:
            params["expand"] = expand
        try:
            result = self.read("GET", SEARCH_OFFSET, params=params)
        except JiraRejected as exc:
            if exc.status != 410:
                raise
            raise TrackerConfigError(
                f'{exc} — this is Jira Cloud, which removed /search: set deployment = "cloud" or leave it out'
            ) from exc
        return result

    def comments(self, key: str, *, start_at: int, max_results: int = 100, newest_first: bool = True) -> dict[str, Any]:
        """One page of an issue's comments (read only where it is in doubt which of them are the worker's)."""
        params = {"startAt": start_at, "maxResults": max_results, "orderBy": "-created" if newest_first else "created"}
        page: dict[str, Any] = self.send("GET", f"issue/{quote(key)}/comment", params=params)
        return page

    def all_comments(self, key: str, *, page_size: int = 100) -> list[dict[str, Any]]:
        """Every comment of an issue, oldest first, each page under the retry policy."""
        found: list[dict[str, Any]] = []
        while True:
            page = self._retried(
                partial(self.comments, key, start_at=len(found), max_results=page_size, newest_first=False)
            )
            batch = [c for c in page.get("comments") or [] if isinstance(c, dict)]
            found.extend(batch)
            if not batch or len(found) >= int(page.get("total") or 0):
                return found

    # -- writes (single attempts; the writer decides what is safe to retry) --------------------------------

    def edit_issue(self, key: str, body: Mapping[str, Any], *, notify: bool) -> None:
        # returnIssue=false: the 204 is all we need; python-jira's Issue.update() would re-GET the issue.
        params = {"notifyUsers": str(notify).lower(), "returnIssue": "false"}
        self.send("PUT", f"issue/{quote(key)}", params=params, body=body)

    def set_property(self, key: str, prop: str, value: Any) -> None:
        self.send("PUT", f"issue/{quote(key)}/properties/{quote(prop)}", body=value)

    def add_comment(self, key: str, body: Any) -> dict[str, Any]:
        comment: dict[str, Any] = self.send("POST", f"issue/{quote(key)}/comment", body={"body": body})
        return comment

    def update_comment(self, key: str, comment_id: str, body: Any, *, notify: bool) -> dict[str, Any]:
        params = {"notifyUsers": str(notify).lower()}
        path = f"issue/{quote(key)}/comment/{quote(comment_id)}"
        comment: dict[str, Any] = self.send("PUT", path, params=params, body={"body": body})
        return comment

    def delete_comment(self, key: str, comment_id: str) -> None:
        self.send("DELETE", f"issue/{quote(key)}/comment/{quote(comment_id)}")

    def close(self) -> None:
        self._jira._session.close()
