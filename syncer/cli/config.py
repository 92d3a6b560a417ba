"""`syncer config schema` and `syncer config show`: the configuration as the program understands it."""

from __future__ import annotations

import json
from typing import Any

import click

from syncer.cli import main
from syncer.cli.run import CONFIG_HELP, load_or_exit
from syncer.settings import SyncSettings

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@main.group("config")
def config_group() -> None:
    """Inspect the configuration: its JSON Schema, or the effective values of a file."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the whole configuration (descriptions and defaults from the settings models)."""
    schema = SyncSettings.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "syncer configuration"}


@config_group.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the configuration file (editors can validate syncer.toml with it)."""
    click.echo(json.dumps(json_schema(), indent=2, sort_keys=False))


@config_group.command("show")
@click.option("--config", "config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def show_command(config: str | None) -> None:
    """Print the effective configuration as JSON: the file plus SYNCER_* overrides and defaults, secrets masked.

    Secrets written in the file (token, webhook_url, secret, password, a state URL) show as **********; the
    environment variables that hold secrets are named, never read.
    """
    settings = load_or_exit(config)
    click.echo(json.dumps(settings.model_dump(mode="json"), indent=2))
