"""Linear's schema is built from the SDL once per machine; later processes load the cached introspection, which
must give exactly the same schema, and any cache trouble falls back to the SDL."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, print_schema

from connectors.linear.sandbox import schema_cache
from connectors.linear.sandbox.app import schema_sdl

SMALL = 'type Query { issue(id: String!): Issue }\ntype Issue { id: ID! title: String @deprecated(reason: "x") }\n'


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _no_sdl_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_sdl: str) -> GraphQLSchema:
        raise AssertionError("built from the SDL although the cache had it")

    monkeypatch.setattr(schema_cache, "build_schema", refuse)


def test_linears_schema_from_the_cache_is_the_schema_the_sdl_describes(monkeypatch: pytest.MonkeyPatch) -> None:
    sdl = schema_sdl()
    built = schema_cache.load_schema(sdl)  # no cache yet: from the SDL, and saved
    assert schema_cache.cache_path(sdl).is_file()
    _no_sdl_build(monkeypatch)
    cached = schema_cache.load_schema(sdl)
    assert print_schema(cached) == print_schema(built)  # built: from the SDL, fully validated


def test_another_sdl_has_its_own_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    schema_cache.load_schema(SMALL)
    other = SMALL + "type Team { id: ID! }\n"
    assert schema_cache.cache_path(other) != schema_cache.cache_path(SMALL)
    assert schema_cache.load_schema(other).get_type("Team") is not None


def test_a_damaged_cache_is_rebuilt_from_the_sdl(caplog: pytest.LogCaptureFixture) -> None:
    schema_cache.load_schema(SMALL)
    path = schema_cache.cache_path(SMALL)
    path.write_text('{"__schema": ', encoding="utf-8")  # cut off
    schema = schema_cache.load_schema(SMALL)
    assert print_schema(schema) == print_schema(build_schema(SMALL))
    assert "schema-cache-unusable" in caplog.text
    assert path.read_text(encoding="utf-8").startswith('{"__schema":{')  # written again, whole


def test_an_unwritable_cache_folder_only_means_the_slow_path(cache_home: Path) -> None:
    cache_home.parent.mkdir(parents=True, exist_ok=True)
    cache_home.write_text("a file where the folder should be", encoding="utf-8")
    assert print_schema(schema_cache.load_schema(SMALL)) == print_schema(build_schema(SMALL))


def test_an_invalid_sdl_is_refused_not_cached() -> None:
    with pytest.raises(TypeError):
        schema_cache.load_schema("type Query { issue: Missing }")
    assert not schema_cache.cache_dir().exists() or not list(schema_cache.cache_dir().iterdir())


def test_only_the_newest_schemas_are_kept() -> None:
    sdls = [SMALL + f"type Extra{n} {{ id: ID! }}\n" for n in range(schema_cache.KEPT + 2)]
    for sdl in sdls:
        schema_cache.load_schema(sdl)
    kept = sorted(schema_cache.cache_dir().glob("linear-schema-*.json"))
    assert len(kept) == schema_cache.KEPT
    assert schema_cache.cache_path(sdls[-1]) in kept
