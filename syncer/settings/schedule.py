"""`[schedule]`: when `syncer schedule` runs the job (cron expression, time zone, optional jitter)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator


class ScheduleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    cron: str
    """Five fields (minute hour day month weekday); a sixth field, seconds, is accepted too."""
    timezone: str = "UTC"
    """IANA zone the cron expression is read in (`Europe/Berlin`): "9-17" means office hours there, DST too."""
    jitter_seconds: float = Field(default=0.0, ge=0.0, le=3600.0)
    """Start each run up to this many seconds late (random), so workers on one schedule do not stampede."""

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(f"not a valid cron expression: {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone: {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
