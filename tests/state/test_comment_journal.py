"""The comment journal: entries survive the process that wrote them, per tracker, and a dry run changes nothing."""

from __future__ import annotations

from sqlalchemy import inspect

from syncer.state import StateStore
from syncer.state.engine import make_engine
from syncer.state.journal import StoreJournal
from syncer.state.migrations import migrate


def test_unfinished_writes_are_remembered_across_processes_per_tracker(state_url: str) -> None:
    store = StateStore.open(state_url)
    try:
        StoreJournal(store, "jira").begin(["ACME-1", "ACME-2", "ACME-3"])
        StoreJournal(store, "other").begin(["ACME-1"])
        StoreJournal(store, "jira").finish(["ACME-2"])
        StoreJournal(store, "jira").begin(["ACME-1"])  # begun again by a later run: still one entry
    finally:
        store.close()

    reopened = StateStore.open(state_url)
    try:
        assert StoreJournal(reopened, "jira").unfinished() == {"ACME-1", "ACME-3"}
        assert StoreJournal(reopened, "other").unfinished() == {"ACME-1"}
        dry = StoreJournal(reopened, "jira", read_only=True)
        dry.begin(["ACME-9"])
        dry.finish(["ACME-1"])
        assert dry.unfinished() == {"ACME-1", "ACME-3"}
    finally:
        reopened.close()


def test_a_version_4_database_gets_the_journal_on_open(state_url: str) -> None:
    engine = make_engine(state_url)
    migrate(engine, target=4)
    with engine.connect() as conn:
        assert "comment_journal" not in inspect(conn).get_table_names()
    engine.dispose()
    store = StateStore.open(state_url)
    try:
        assert StoreJournal(store, "jira").unfinished() == set()
    finally:
        store.close()
