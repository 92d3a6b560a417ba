"""Checks outside the trackers: the state store and the alert destinations."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy.exc import SQLAlchemyError

from syncer.alerts.base import DeliveryError
from syncer.alerts.destinations import build
from syncer.alerts.events import AlertEvent
from syncer.doctor import Findings
from syncer.settings import ConfigError, SyncSettings
from syncer.state.engine import display_url, make_engine
from syncer.state.migrations import read_version
from syncer.state.schema import SCHEMA_VERSION


def check_state(settings: SyncSettings) -> Findings:
    """The state store answers and its schema is one this syncer can use (read only: nothing is migrated)."""
    found = Findings("state")
    try:
        url = settings.state.resolved_url(settings.workdir).get_secret_value()
    except ConfigError as exc:
        found.fail("database", str(exc), "set [state] url or the variable named by url_env")
        return found
    try:
        engine = make_engine(url)
    except (ConfigError, SQLAlchemyError, OSError) as exc:
        found.fail("database", f"[state] url: {exc}", "use sqlite:///path or postgresql+psycopg://user@host/db")
        return found
    shown = display_url(engine.url)
    try:
        with engine.connect() as conn:
            version = read_version(conn)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        found.fail("database", f"cannot use {shown}: {reason}", "check [state] url, the server and the credentials")
        return found
    finally:
        engine.dispose()
    if version is None:
        found.ok("database", f"{shown} reachable; empty, the first run creates the tables")
    elif version < SCHEMA_VERSION:
        found.ok("database", f"{shown} at schema {version}; the next run upgrades it to {SCHEMA_VERSION}")
    elif version > SCHEMA_VERSION:
        found.fail(
            "database",
            f"{shown} was written by a newer syncer (schema {version}, this one knows {SCHEMA_VERSION})",
            "upgrade syncer on this machine, or point [state] url elsewhere",
        )
    else:
        found.ok("database", f"{shown} reachable, schema {version} (current)")
    return found


def doctor_event(now: datetime | None = None) -> AlertEvent:
    """A harmless message each destination renders like a real WIP alert, titled as a test."""
    at = now or datetime.now(UTC)
    return AlertEvent(
        id=f"doctor-{at.timestamp():.0f}",
        type="started",
        category="wip",
        key="syncer-doctor/test",
        tracker="syncer-doctor",
        episode_started=at,
        at=at,
        data={
            "scope": "status",
            "name": "test message from syncer doctor (no action needed)",
            "limit": 0,
            "count": 0,
            "source": "config",
            "items": [],
        },
    )


def check_alerts(settings: SyncSettings, *, send: bool) -> Findings:
    """Each destination resolves its secrets; with `send`, each accepts a test message."""
    found = Findings("alerts")
    if not settings.alerts:
        found.ok("destinations", "none configured (WIP breaches show only in the run summary)")
        return found
    with httpx.Client(timeout=settings.http.timeout) as client:
        try:
            destinations = build(settings.alerts, client)
        except ConfigError as exc:
            found.fail("destinations", str(exc), "set the variable or fix the [[alerts]] entry it names")
            return found
        event = doctor_event()
        for destination in destinations:
            if not send:
                found.ok(
                    f"alert {destination.name}", f"{destination.config.kind} configured (not tested: --send-test-alert)"
                )
                continue
            try:
                destination.sink.send(event)
            except DeliveryError as exc:
                found.fail(
                    f"alert {destination.name}", f"the test message was refused: {exc}", "check its URL, host or secret"
                )
            except Exception as exc:  # a destination's own failure, never the doctor's
                found.fail(
                    f"alert {destination.name}",
                    f"the test message failed: {type(exc).__name__}: {exc}",
                    "check its URL, host or secret",
                )
            else:
                found.ok(f"alert {destination.name}", f"{destination.config.kind} accepted a test message")
    return found
