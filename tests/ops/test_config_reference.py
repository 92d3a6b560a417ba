"""`syncer config schema`, `syncer config show`, and docs/configuration.md generated from the same models."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
from pydantic import BaseModel

from syncer.settings import SyncSettings
from syncer.settings.reference import description, render, sections
from tests.ops.helpers import syncer_here as syncer

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "configuration.md"


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    """Every settings model reachable from `model` through its fields (unions, lists, optionals included)."""
    if model in seen:
        return seen
    seen.add(model)
    for info in model.model_fields.values():
        stack: list[Any] = [info.annotation]
        while stack:
            t = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                _models(t, seen)
            stack.extend(get_args(t))
    return seen


def _models_in(annotation: Any) -> bool:
    stack = [annotation]
    while stack:
        t = stack.pop()
        if isinstance(t, type) and issubclass(t, BaseModel):
            return True
        stack.extend(get_args(t))
    return False


def test_the_reference_is_up_to_date() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render(), "docs/configuration.md is stale: run `make docs`"


def test_the_reference_covers_every_key_of_every_model_with_a_description() -> None:
    documented: dict[type[BaseModel], set[str]] = {}
    for _, _, model, skip in sections():
        documented.setdefault(model, set()).update(n for n in model.model_fields if n not in skip)
    missing = []
    for model in _models(SyncSettings, set()):
        shown = set().union(*(keys for m, keys in documented.items() if issubclass(model, m)))
        for name, info in model.model_fields.items():
            own_section = _models_in(info.annotation)  # a table of its own, documented under its own heading
            if name not in shown and not own_section:
                missing.append(f"{model.__name__}.{name}: not in the reference")
            if not description(info):
                missing.append(f"{model.__name__}.{name}: no description (add a docstring under the field)")
    assert not missing, "\n".join(missing)
    text = render()
    for needle in ("## [report]", "| `workdir` |", "## [trackers.wip]", "**replaces** the top-level `[wip]`"):
        assert needle in text


def test_the_schema_is_valid_json_schema_with_descriptions_and_defaults_and_accepts_the_shipped_configs() -> None:
    done = syncer("config", "schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    http = schema["$defs"]["HttpSettings"]["properties"]["timeout"]
    assert http["default"] == 30.0 and "Seconds" in http["description"]
    validator = jsonschema.Draft202012Validator(schema)
    for path in (ROOT / "config").glob("*.toml"):
        errors = [e.message for e in validator.iter_errors(tomllib.loads(path.read_text(encoding="utf-8")))]
        assert not errors, (path.name, errors)
    assert list(validator.iter_errors({"trackers": [{"kind": "jira", "name": "x"}]})), "a jira entry needs url/jql"


@pytest.mark.parametrize("secret_env", [False, True])
def test_show_prints_the_effective_configuration_with_secrets_masked(tmp_path: Path, secret_env: bool) -> None:
    config = tmp_path / "syncer.toml"
    config.write_text(
        """
[[trackers]]
name = "acme"
kind = "jira"
url = "https://acme.example"
email = "bot@acme.example"
token = "inline-token-5c1f7e"
jql = "project = ACME"

[state]
url = "postgresql+psycopg://syncer:db-pw-3e9a21@db:5432/syncer"

[[alerts]]
kind = "slack"
webhook_url = "https://hooks.example/services/slack-secret-77aa01"
""",
        encoding="utf-8",
    )
    env = {"SYNCER_SCORING__MODEL": "ice", "SYNCER_HTTP__TIMEOUT": "61"}
    done = syncer("config", "show", "--config", config, env=env)
    assert done.returncode == 0, done.stderr
    for secret in ("inline-token-5c1f7e", "db-pw-3e9a21", "slack-secret-77aa01"):
        assert secret not in done.stdout
    shown = json.loads(done.stdout)
    assert shown["scoring"]["model"] == "ice" and shown["http"]["timeout"] == 61.0
    assert shown["trackers"][0]["token"] == "**********"
    assert shown["schedule"] is None and shown["workdir"] == ".syncer"


def test_show_names_a_bad_key_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "syncer.toml"
    config.write_text('[[trackers]]\nname = "x"\nkind = "local"\npath = "b.json"\n[http]\ntimeout = -1\n')
    done = syncer("--log-format", "text", "config", "show", "--config", config)
    assert done.returncode == 2
    assert "http.timeout" in done.stderr and str(config) in done.stderr
