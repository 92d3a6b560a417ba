"""`[[trackers]]` entries: one per tracker, discriminated by `kind`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from syncer.logs import register_secret
from syncer.settings.errors import ConfigError
from syncer.settings.scoring import WipSettings


class OutputSettings(BaseModel):
    """Where results go. Jira/local: field names; Linear: attachment and optional label group."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    score: str | None = None
    rank: str | None = None
    bucket: str | None = None
    comment: bool = True
    attachment: bool = True
    bucket_label_group: str | None = None
    rank_updates: Literal["always", "top"] = "always"
    """When the rank is rewritten. `always` keeps every rank exact, so one issue moving up rewrites the rank of
    every issue it passes. `top` rewrites a rank only within the first `rank_top` places (before or after the
    move), when the issue's bucket changes, or when it has no rank yet: further down, a stored rank may lag by a
    few places until one of those happens (score and bucket never lag)."""
    rank_top: int = Field(default=50, ge=1)
    """With `rank_updates = "top"`: how many of the first ranks are always kept exact."""


class _TrackerBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    inputs: dict[str, str] = Field(default_factory=dict)
    """Logical input (reach, impact, ...) -> tracker field."""
    outputs: OutputSettings = OutputSettings()
    wip: WipSettings | None = None
    """Per-tracker WIP limits; when absent the global `[wip]` section applies."""
    token: SecretStr | None = None
    token_env: str | None = None
    token_file: Path | None = None

    def resolve_token(self, index: int, path: str | None) -> SecretStr | None:
        """The credential, from `token`, the variable named by `token_env`, or `token_file`, in that order."""
        token = self._token(index, path)
        if token is not None:
            register_secret(token.get_secret_value())
        return token

    def _token(self, index: int, path: str | None) -> SecretStr | None:
        key = f"trackers[{index}]"
        if self.token is not None:
            return self.token
        if self.token_env:
            value = os.environ.get(self.token_env)
            if not value:
                raise ConfigError(
                    f"environment variable {self.token_env} is not set or empty",
                    path=path,
                    key=f"{key}.token_env",
                )
            return SecretStr(value.strip())
        if self.token_file:
            try:
                return SecretStr(self.token_file.read_text(encoding="utf-8").strip())
            except OSError as exc:
                raise ConfigError(
                    f"cannot read {self.token_file}: {exc.strerror}", path=path, key=f"{key}.token_file"
                ) from exc
        return None


class LocalTrackerSettings(_TrackerBase):
    kind: Literal["local"]
    path: Path
    """The JSON backlog file."""
    url: str = "local://"


class JiraTrackerSettings(_TrackerBase):
    kind: Literal["jira"]
    url: str
    deployment: Literal["cloud", "datacenter"] | None = None
    email: str | None = None
    jql: str
    board_id: int | None = None
    notify_users: bool = False
    page_size: int = Field(default=100, ge=1, le=5000)

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, v: str) -> str:
        return v.rstrip("/")


class LinearTrackerSettings(_TrackerBase):
    kind: Literal["linear"]
    url: str = "https://api.linear.app/graphql"
    auth: Literal["api_key", "oauth"] = "api_key"
    teams: list[str] = Field(default_factory=list)
    states: list[str] = Field(default_factory=lambda: ["triage", "backlog", "unstarted", "started"])
    attachment_url: str = "https://syncer.example.com/linear/{issue_id}"
    page_size: int | None = Field(default=None, ge=1, le=250)
    """Issues per page; by default the largest page whose query stays at half of Linear's complexity cap."""


TrackerSettings = Annotated[
    LocalTrackerSettings | JiraTrackerSettings | LinearTrackerSettings, Field(discriminator="kind")
]
