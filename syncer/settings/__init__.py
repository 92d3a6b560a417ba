"""Typed configuration: one TOML file (`--config` or `SYNCER_CONFIG`) plus `SYNCER_`-prefixed environment overrides.

Environment variables win over the file; nested keys use `__` (`SYNCER_SCORING__MODEL=ice`).
"""

from __future__ import annotations

import os
import re
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from syncer.settings.alerts import AgingSettings, AlertSettings
from syncer.settings.checks import check_settings
from syncer.settings.errors import ConfigError, from_validation_error
from syncer.settings.http import HttpSettings
from syncer.settings.metrics import MetricsSettings
from syncer.settings.report import ReportSettings
from syncer.settings.safety import SafetySettings
from syncer.settings.schedule import ScheduleSettings
from syncer.settings.scoring import Buckets, Criterion, MoSCoW, ScoringSettings, WipSettings
from syncer.settings.sources import ENV_DELIMITER, ENV_PREFIX, describe, env_variables_under
from syncer.settings.state import StateSettings
from syncer.settings.trackers import (
    JiraTrackerSettings,
    LinearTrackerSettings,
    LocalTrackerSettings,
    OutputSettings,
    TrackerSettings,
)

__all__ = [
    "AgingSettings",
    "AlertSettings",
    "Buckets",
    "ConfigError",
    "Criterion",
    "HttpSettings",
    "JiraTrackerSettings",
    "LinearTrackerSettings",
    "LocalTrackerSettings",
    "MetricsSettings",
    "MoSCoW",
    "OutputSettings",
    "ReportSettings",
    "SafetySettings",
    "ScheduleSettings",
    "ScoringSettings",
    "StateSettings",
    "SyncSettings",
    "TrackerSettings",
    "WipSettings",
    "load_settings",
]

_file_data: ContextVar[dict[str, Any]] = ContextVar("_file_data")


class _TomlData(PydanticBaseSettingsSource):
    """The already-parsed TOML file; parsed by `load_settings` so syntax errors can name the file and line."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return _file_data.get({}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_data.get({}))


class SyncSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SYNCER_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
    )

    trackers: list[TrackerSettings] = Field(min_length=1)
    """The trackers to sync, one `[[trackers]]` entry each (at least one)."""
    scoring: ScoringSettings = ScoringSettings()
    """How issues are scored, ranked and bucketed."""
    wip: WipSettings = WipSettings()
    """WIP limits for every tracker without its own `[trackers.wip]`."""
    http: HttpSettings = HttpSettings()
    """Timeouts, retries and write concurrency for the tracker APIs."""
    state: StateSettings = StateSettings()
    """Where runs, score history and alert episodes are kept."""
    schedule: ScheduleSettings | None = None
    """When `syncer schedule` runs the job; `syncer schedule` refuses to start without it."""
    metrics: MetricsSettings = MetricsSettings()
    """Prometheus metrics: Pushgateway after a run, `/metrics` in `syncer schedule`."""
    alerts: list[AlertSettings] = Field(default_factory=list)
    """Where WIP and aging alerts go, one `[[alerts]]` entry per destination."""
    aging: AgingSettings = AgingSettings()
    """When an in-progress item counts as aging."""
    report: ReportSettings = ReportSettings()
    """The grooming report written after every run."""
    safety: SafetySettings = SafetySettings()
    """Safety valves that stop a run before it writes something that looks wrong."""
    workdir: Path = Path(".syncer")
    """Where run artefacts (reports, default state database) live."""

    @model_validator(mode="after")
    def _unique_names(self) -> SyncSettings:
        names = [t.name for t in self.trackers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"tracker names must be unique; repeated: {', '.join(dupes)}")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlData(settings_cls)

    def tracker(self, name: str) -> TrackerSettings:
        for t in self.trackers:
            if t.name == name:
                return t
        raise ConfigError(f"no tracker named {name!r}; configured: {', '.join(t.name for t in self.trackers)}")


def config_path(explicit: str | os.PathLike[str] | None) -> Path:
    """The config file to read: `--config`, else `SYNCER_CONFIG`, else `syncer.toml` in the working folder."""
    raw = explicit or os.environ.get("SYNCER_CONFIG") or "syncer.toml"
    return Path(raw)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError("file not found (pass --config or set SYNCER_CONFIG)", path=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=str(path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from exc


def load_settings(path: str | os.PathLike[str] | None = None, **overrides: Any) -> SyncSettings:
    """Read and validate the configuration; every problem is a `ConfigError` naming the key and the file."""
    file = config_path(path)
    data = read_toml(file)
    token = _file_data.set(data)
    try:
        settings = SyncSettings(**overrides)
    except ValidationError as exc:
        raise from_validation_error(exc, str(file)) from exc
    except SettingsError as exc:
        raise _env_error(exc) from exc
    finally:
        _file_data.reset(token)
    check_settings(settings, str(file))
    return settings


def _env_error(exc: SettingsError) -> ConfigError:
    """pydantic-settings could not parse an environment variable (a list or table given as non-JSON text)."""
    match = re.search(r'field "([^"]+)"', str(exc))
    field = match.group(1) if match else ""
    variables = env_variables_under(field) if field else []
    reason = f": {exc.__cause__}" if exc.__cause__ else ""
    key = field or None
    if len(variables) == 1:  # SYNCER_WIP__LIMITS -> wip.limits
        key = ".".join(variables[0][len(ENV_PREFIX) :].lower().split(ENV_DELIMITER))
    return ConfigError(
        f"not valid JSON{reason} (a list or table set from the environment is written as JSON)",
        path=" or ".join(describe(v) for v in variables) or "the environment",
        key=key,
    )
