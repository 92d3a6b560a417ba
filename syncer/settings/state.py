"""`[state]`: where the worker remembers runs, score history and alert episodes; how long a run lock lasts."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from syncer.logs import register_secret
from syncer.settings.errors import ConfigError


def _register_url_password(url: str) -> None:
    """A database URL's password (the rest of the URL is useful in a log line; the pattern filter masks it too)."""
    parsed = urlsplit(url)
    if parsed.password:
        register_secret(parsed.password)
        register_secret(unquote(parsed.password))


class StateSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    url: SecretStr | None = None
    """SQLAlchemy URL: `sqlite:///path/state.db` or `postgresql+psycopg://user:pw@host/db`.

    A SecretStr because a PostgreSQL URL may carry a password; logs and messages mask it.
    Unset: `sqlite:///<workdir>/state.db`.
    """
    url_env: str | None = None
    """Name of an environment variable holding the URL (wins over `url`), for cloud deployments."""
    lease_seconds: float = Field(default=60.0, ge=1.0)
    """Run lock lease, renewed by a heartbeat every third of it: how long a run that crashed on *another* host
    (or stalled) can block the next one. A holder that died on the same host is taken over at once."""

    def resolved_url(self, workdir: Path) -> SecretStr:
        url = self._resolved_url(workdir)
        _register_url_password(url.get_secret_value())
        return url

    def _resolved_url(self, workdir: Path) -> SecretStr:
        if self.url_env:
            value = os.environ.get(self.url_env, "").strip()
            if not value:
                message = f"environment variable {self.url_env} is not set or empty"
                raise ConfigError(message, key="state.url_env")
            return SecretStr(value)
        if self.url is not None:
            return self.url
        return SecretStr(f"sqlite:///{workdir / 'state.db'}")
