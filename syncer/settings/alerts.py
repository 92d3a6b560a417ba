"""`[[alerts]]` entries (where WIP and aging alerts go) and `[aging]` (when an item counts as old).

Each entry has a `kind` (slack, webhook, email, console, file) and optional filters by tracker and team.
Secrets (Slack webhook URL, HMAC secret, SMTP password) are `SecretStr`; each can come from the environment.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from syncer.logs import register_secret
from syncer.settings.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> Any:
    """Accept "24h", "30m", "2d", "1w", "90s" besides what pydantic takes (seconds, ISO 8601 "PT24H")."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    return value


def from_env(value: str | None, env: str | None, key: str) -> str | None:
    """The configured value, or the named environment variable's (which must then be set)."""
    if env:
        found = os.environ.get(env, "").strip()
        if not found:
            raise ConfigError(f"environment variable {env} is not set or empty", key=key)
        return found
    return value


def secret_from_env(value: str | None, env: str | None, key: str) -> str | None:
    """`from_env` for a credential: the value is also kept out of every log line."""
    found = from_env(value, env, key)
    register_secret(found)
    return found


class _AlertBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$")
    """Identifies this destination in the state store; set it so reordering entries keeps episode memory."""
    trackers: list[str] = Field(default_factory=list)
    """Only alerts about these trackers (empty: all)."""
    teams: list[str] = Field(default_factory=list)
    """Only alerts that concern these teams (a team limit, or items of that team; empty: all)."""
    categories: tuple[Literal["wip", "aging"], ...] = ("wip", "aging")
    """Which alerts: `wip` (limit breaches), `aging` (items in progress too long)."""
    remind_after: timedelta = timedelta(hours=24)
    """While a breach lasts, remind this often ("24h", "3d", seconds)."""
    max_attempts: int = Field(default=3, ge=1, le=100)
    """A message this destination refused (or that could not be built) this many times is dead-lettered."""

    @field_validator("remind_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)

    @field_validator("remind_after")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value.total_seconds() <= 0:
            raise ValueError("must be positive")
        return value


class ConsoleAlert(_AlertBase):
    """Print alerts on the terminal; stderr by default so `--json` output on stdout stays parseable."""

    kind: Literal["console"]
    """Print alerts on the terminal."""
    stream: Literal["stdout", "stderr"] = "stderr"
    """`stderr` (default) or `stdout`."""


class FileAlert(_AlertBase):
    """Append each alert as one JSON line (the webhook payload) to a file."""

    kind: Literal["file"]
    """Append alerts as JSON lines to a file."""
    path: Path
    """The file (created if missing)."""


class SlackAlert(_AlertBase):
    kind: Literal["slack"]
    """A Slack incoming webhook (Block Kit)."""
    webhook_url: SecretStr | None = None
    """The webhook URL inline (it is the credential: prefer `webhook_url_env`)."""
    webhook_url_env: str | None = None
    """Environment variable holding the webhook URL."""

    @model_validator(mode="after")
    def _one_source(self) -> SlackAlert:
        if self.webhook_url is None and not self.webhook_url_env:
            raise ValueError("set webhook_url or webhook_url_env")
        return self

    def resolved_url(self, key: str) -> SecretStr:
        raw = self.webhook_url.get_secret_value() if self.webhook_url else None
        value = secret_from_env(raw, self.webhook_url_env, f"{key}.webhook_url_env")
        assert value is not None
        return SecretStr(value)


class WebhookAlert(_AlertBase):
    kind: Literal["webhook"]
    """A JSON POST (schema `syncer.alert/v1`)."""
    url: str | None = None
    """Where to POST."""
    url_env: str | None = None
    """Environment variable holding the URL."""
    secret: SecretStr | None = None
    """HMAC key for `X-Syncer-Signature` inline (prefer `secret_env`)."""
    secret_env: str | None = None
    """Shared secret for the `X-Syncer-Signature` HMAC; without one the request is sent unsigned."""

    @model_validator(mode="after")
    def _one_source(self) -> WebhookAlert:
        if self.url is None and not self.url_env:
            raise ValueError("set url or url_env")
        return self

    def resolved_url(self, key: str) -> str:
        value = from_env(self.url, self.url_env, f"{key}.url_env")
        assert value is not None
        return value

    def resolved_secret(self, key: str) -> SecretStr | None:
        raw = self.secret.get_secret_value() if self.secret else None
        value = secret_from_env(raw, self.secret_env, f"{key}.secret_env")
        return SecretStr(value) if value else None


class EmailAlert(_AlertBase):
    kind: Literal["email"]
    """E-mail over SMTP."""
    host: str | None = None
    """SMTP server."""
    host_env: str | None = None
    """Environment variable holding the SMTP server."""
    port: int = Field(default=587, ge=1, le=65535)
    """SMTP port (587: submission with STARTTLS)."""
    starttls: bool = True
    """Upgrade the connection with STARTTLS before logging in (port 587). Turn off only for a local relay."""
    username: str | None = None
    """SMTP login; unset: no login."""
    password: SecretStr | None = None
    """SMTP password inline (prefer `password_env`)."""
    password_env: str | None = None
    """Environment variable holding the SMTP password."""
    sender: str = Field(min_length=3)
    """The From address."""
    to: list[str] = Field(min_length=1)
    """Recipients."""
    timeout: float = Field(default=30.0, gt=0)
    """Seconds for the SMTP conversation."""
    ca_file: Path | None = None
    """CA bundle to trust for STARTTLS (a relay with a private CA); default: the system's."""

    @model_validator(mode="after")
    def _one_source(self) -> EmailAlert:
        if self.host is None and not self.host_env:
            raise ValueError("set host or host_env")
        return self

    def resolved_host(self, key: str) -> str:
        value = from_env(self.host, self.host_env, f"{key}.host_env")
        assert value is not None
        return value

    def resolved_password(self, key: str) -> SecretStr | None:
        raw = self.password.get_secret_value() if self.password else None
        value = secret_from_env(raw, self.password_env, f"{key}.password_env")
        return SecretStr(value) if value else None


AlertSettings = Annotated[
    ConsoleAlert | FileAlert | SlackAlert | WebhookAlert | EmailAlert, Field(discriminator="kind")
]


class AgingSettings(BaseModel):
    """When an in-progress item is "old": past `max_age_days`, or past the `percentile` of how long recently
    finished items spent in progress (once at least `min_history` of them are known)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    enabled: bool = True
    """Announce aging items."""
    max_age_days: float | None = Field(default=None, gt=0)
    """An in-progress item older than this many days is aging (unset: only the percentile rule)."""
    percentile: float = Field(default=85.0, gt=0, lt=100)
    """Percentile of recent in-progress durations beyond which an item is aging."""
    min_history: int = Field(default=10, ge=1)
    """Finished items needed before the percentile rule applies."""
    history_days: int = Field(default=90, ge=1)
    """Only items finished within this many days count towards the percentile."""
