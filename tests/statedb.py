"""State-store fixtures shared by tests/state, tests/alerts and the scheduler tests.

`state_url` runs a test twice: on a fresh SQLite file and on a fresh schema of the real PostgreSQL server on
127.0.0.1:5432 (dropped afterwards). Without that server the PostgreSQL variant skips locally and fails in CI
(CI=true), where the server is part of the machine.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

PG_DSN = os.environ.get("SYNCER_TEST_PG_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=5")


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__
    return None


def pg_schema_url(schema: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(PG_DSN)
    user = info.get("user", "postgres")
    host, port, db = info.get("host", "127.0.0.1"), info.get("port", "5432"), info.get("dbname", "test")
    options = quote(f"-csearch_path={schema}", safe="")
    return f"postgresql+psycopg://{user}@{host}:{port}/{db}?options={options}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a schema created for this test alone."""
    problem = _pg_reachable()
    if problem is not None:
        message = f"PostgreSQL on 127.0.0.1:5432 is not reachable: {problem}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    schema = f"syncer_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield pg_schema_url(schema)
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            # A connection the test forgot to close would make DROP wait forever; fail loudly instead.
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url
