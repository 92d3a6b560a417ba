"""Building the authenticated python-jira client: which auth mode, which REST version, no hidden retries.

python-jira owns the auth modes (basic email + API token on Cloud, a personal access token as Bearer on Data
Center) and the session they live on. Everything it would do on its own is switched off here: its
`ResilientSession` retries POSTs after a dropped connection (duplicate comments) and sleeps before honouring
Retry-After, so it gets `max_retries=0` and our tenacity policy (connectors/retry.py) does the retrying; it must
not fetch serverInfo in the constructor either, because that request would bypass our retry policy and our error
mapping.
"""

from __future__ import annotations

from typing import Literal

from jira import JIRA
from pydantic import SecretStr
from requests.adapters import HTTPAdapter

from connectors.errors import TrackerConfigError
from syncer.settings import HttpSettings, JiraTrackerSettings

Deployment = Literal["cloud", "datacenter"]


def api_version(deployment: Deployment) -> str:
    """REST version to speak: v3 on Cloud (comments are ADF), v2 on Data Center (the only one it has)."""
    return "3" if deployment == "cloud" else "2"


def uses_basic_auth(settings: JiraTrackerSettings) -> bool:
    """With an e-mail (or Data Center username) the token goes with it as basic auth; alone it is a Bearer PAT."""
    return settings.email is not None


def describe_credential(settings: JiraTrackerSettings) -> str:
    """Which credential was used, for error messages: the account and where the token came from, never it."""
    if settings.token_env:
        source = f"${settings.token_env}"
    elif settings.token_file:
        source = f"the file {settings.token_file}"
    else:
        source = f"trackers '{settings.name}' token in the config"
    if uses_basic_auth(settings):
        return f"e-mail {settings.email!r} with the API token from {source}"
    return f"the personal access token from {source}"


def open_jira(
    settings: JiraTrackerSettings, *, token: SecretStr | None, http: HttpSettings, deployment: Deployment | None
) -> JIRA:
    """An authenticated python-jira client; makes no request."""
    if token is None:
        raise TrackerConfigError(
            f"tracker {settings.name!r}: no Jira token configured (set token_env, token_file or token)"
        )
    if deployment == "cloud" and not settings.email:
        raise TrackerConfigError(f"tracker {settings.name!r}: Jira Cloud needs `email` with the API token")
    secret = token.get_secret_value()
    basic = uses_basic_auth(settings)
    client = JIRA(
        settings.url,
        options={"rest_api_version": api_version(deployment or "datacenter"), "check_update": False},
        basic_auth=(settings.email or "", secret) if basic else None,
        token_auth=None if basic else secret,
        get_server_info=False,
        max_retries=0,
        timeout=http.timeout,
        logging=False,
    )
    # Writes run up to `max_write_concurrency` at a time (they start at `write_concurrency` and grow); a pool
    # smaller than that discards a connection after every answer beyond it ("Connection pool is full") and opens
    # a new one for the next request.
    pool = max(10, http.write_concurrency, http.max_write_concurrency)
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool, max_retries=0)
    client._session.mount("https://", adapter)
    client._session.mount("http://", adapter)
    return client
