"""`[metrics]`: where Prometheus metrics go (a Pushgateway after `syncer run`; `/metrics` in `syncer schedule`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class MetricsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    pushgateway_url: str | None = None
    """Pushgateway to push to after each `syncer run` (`http://pushgateway:9091`); unset: no push."""
    job: str = Field(default="syncer", min_length=1)
    """The `job` label of pushed metrics; each tracker is pushed to its own group (`job`, `tracker`)."""
    push_timeout: float = Field(default=10.0, gt=0)
    """Seconds to wait for the Pushgateway; a push that fails is logged and never fails the run."""
    host: str = "0.0.0.0"  # noqa: S104 - in a container the probe and the scraper come from outside
    """Address `syncer schedule` serves `/metrics` and `/healthz` on."""
    port: int = Field(default=9464, ge=0, le=65535)
    """Port for `/metrics` and `/healthz` in `syncer schedule` (0: any free port, logged at start)."""
    serve: bool = True
    """Serve `/metrics` and `/healthz` in `syncer schedule`."""

    @field_validator("pushgateway_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value
