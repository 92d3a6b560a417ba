"""`[report]`: the backlog-grooming report written after every run."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReportFormat = Literal["md", "html", "csv", "json"]
ALL_FORMATS: tuple[ReportFormat, ...] = ("md", "html", "csv", "json")


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    enabled: bool = True
    """Write the grooming report after every run."""
    formats: list[ReportFormat] = Field(default_factory=lambda: list(ALL_FORMATS))
    """Which files: `md`, `html`, `csv`, `json`."""
    dir: Path | None = None
    """Where the files go; default `<workdir>/reports`."""
    top: int = Field(default=25, ge=1, le=1000)
    """How many ranked issues the report lists per tracker."""
    stale_days: int = Field(default=30, ge=1)
    """An open issue not updated for this long is listed as stale."""
    duplicate_threshold: float = Field(default=0.88, gt=0, le=1)
    """Title similarity (0-1) above which two open issues are listed as possible duplicates."""
