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
    """Jira/local: number field for the exact, unrounded score."""
    rank: str | None = None
    """Jira/local: number field for the rank."""
    bucket: str | None = None
    """Jira/local: field for the bucket (Now / Next / Later or MoSCoW); a select or text field."""
    comment: bool = True
    """One explanatory comment per issue, edited in place."""
    attachment: bool = True
    """Linear: score, rank and bucket on one attachment (the score card)."""
    bucket_label_group: str | None = None
    """Linear: also a bucket label in this exclusive label group (created on first need)."""
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
    """Your name for this tracker: used by `--tracker`, in reports, metrics and the state store."""
    inputs: dict[str, str] = Field(default_factory=dict)
    """Logical input (reach, impact, ...) -> tracker field."""
    outputs: OutputSettings = OutputSettings()
    """Where this tracker's results go."""
    wip: WipSettings | None = None
    """Per-tracker WIP limits; when absent the global `[wip]` section applies."""
    token: SecretStr | None = None
    """The credential inline (discouraged: prefer `token_env` or `token_file`). Never logged."""
    token_env: str | None = None
    """Name of the environment variable holding the credential."""
    token_file: Path | None = None
    """File holding the credential (a mounted Kubernetes secret); surrounding whitespace is ignored."""

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
    """A local JSON backlog file."""
    path: Path
    """The JSON backlog file."""
    url: str = "local://"
    """Prefix for issue links in reports and alerts (the key is appended)."""


class JiraTrackerSettings(_TrackerBase):
    kind: Literal["jira"]
    """Jira Cloud or Jira Data Center."""
    url: str
    """Jira base URL (Data Center: with its context path)."""
    deployment: Literal["cloud", "datacenter"] | None = None
    """`cloud` or `datacenter`; unset: read from serverInfo (one request)."""
    email: str | None = None
    """Jira Cloud: the account the API token belongs to (basic auth). Leave out for a Data Center PAT."""
    jql: str
    """Which issues to sync."""
    flow_jql: str | None = None
    """Which completed issues feed the report's flow metrics; syncer adds `statusCategory = Done AND resolved >=
    -<history_days>d`. Unset: `jql` without its top-level clauses that leave done issues out
    (`statusCategory != Done`, `resolution = Unresolved`) and without ORDER BY."""
    board_id: int | None = None
    """Read WIP limits from this board's column constraints (a `[wip]` limit for the same column wins)."""
    notify_users: bool = False
    """Let Jira e-mail watchers about score updates (`false` needs *Administer Projects* to hold)."""
    page_size: int = Field(default=100, ge=1, le=5000)
    """Issues asked per search page (Jira may send fewer)."""

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, v: str) -> str:
        return v.rstrip("/")


class LinearTrackerSettings(_TrackerBase):
    kind: Literal["linear"]
    """Linear (GraphQL API)."""
    url: str = "https://api.linear.app/graphql"
    """The GraphQL endpoint (overridable for the sandbox)."""
    auth: Literal["api_key", "oauth"] = "api_key"
    """`api_key` (sent bare) or `oauth` (sent as Bearer)."""
    teams: list[str] = Field(default_factory=list)
    """Team keys to sync (case-sensitive); empty: every team."""
    states: list[str] = Field(default_factory=lambda: ["triage", "backlog", "unstarted", "started"])
    """Workflow state *types* pulled."""
    attachment_url: str = "https://syncer.example.com/linear/{issue_id}"
    """The score card's stable URL per issue; `{issue_id}` is the issue's UUID."""
    page_size: int | None = Field(default=None, ge=1, le=250)
    """Issues per page; by default the largest page whose query stays at 80 % of Linear's complexity cap."""


TrackerSettings = Annotated[
    LocalTrackerSettings | JiraTrackerSettings | LinearTrackerSettings, Field(discriminator="kind")
]
