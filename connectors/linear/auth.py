"""Linear credentials as `httpx.Auth` objects: an API key goes bare, an OAuth token after `Bearer`.

Linear rejects the wrong form for the credential type, so the mode comes from config (`auth = "api_key"` or
`"oauth"`), never from guessing at the token's shape.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
from pydantic import SecretStr


class LinearApiKeyAuth(httpx.Auth):
    """A personal API key: `Authorization: <key>` (no `Bearer`, unlike most APIs)."""

    def __init__(self, key: SecretStr) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._key.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return "LinearApiKeyAuth(key=**********)"


class LinearOAuthAuth(httpx.Auth):
    """An OAuth2 access token: `Authorization: Bearer <token>`."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return "LinearOAuthAuth(token=**********)"


def build_auth(mode: str, token: SecretStr) -> httpx.Auth:
    """The auth object for `[[trackers]] auth` ("api_key" or "oauth")."""
    return LinearOAuthAuth(token) if mode == "oauth" else LinearApiKeyAuth(token)
