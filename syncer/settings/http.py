"""`[http]`: timeouts, retry bounds and write concurrency shared by every HTTP connector."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HttpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    timeout: float = Field(default=30.0, gt=0)
    """Seconds for connect and read of every request."""
    max_attempts: int = Field(default=5, ge=1, le=20)
    """Attempts per request before the tracker counts as unavailable for this run."""
    backoff_initial: float = Field(default=0.5, ge=0)
    """Seconds before the first retry; doubles each attempt (with jitter)."""
    backoff_max: float = Field(default=30.0, ge=0)
    """Longest backoff between attempts, in seconds."""
    max_retry_after: float = Field(default=120.0, ge=0)
    """A Retry-After longer than this is not waited out: the request fails and is retried next run."""
    write_concurrency: int = Field(default=4, ge=1, le=32)
    """Writes sent at the same time per tracker (at the start: see `max_write_concurrency`)."""
    max_write_concurrency: int = Field(default=16, ge=1, le=64)
    """Writes in flight grow from `write_concurrency` towards this while the tracker answers without throttling,
    and halve on a 429 or a near-limit warning. Set it to `write_concurrency` for a fixed concurrency."""
