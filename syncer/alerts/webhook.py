"""Generic webhook: a JSON POST with a documented schema, signed with HMAC-SHA256.

Schema: `webhook.schema.json` beside this module (`"schema": "syncer.alert/v1"`). Headers:

    X-Syncer-Signature: sha256=<hex HMAC-SHA256 of the raw request body, keyed with the shared secret>
    X-Syncer-Event:     started | reminder | resolved
    X-Syncer-Delivery:  the delivery id (also `id` in the body); the same on every retry of one message

To verify, compute the HMAC over the exact bytes received (before any JSON parsing) and compare with
`hmac.compare_digest`. The body is serialised once per message, with sorted keys, so a retry is byte-identical.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from importlib import resources
from typing import Any

import httpx
from pydantic import SecretStr

from syncer.alerts import render
from syncer.alerts.base import post
from syncer.alerts.events import AlertEvent, shown
from syncer.escape import one_line

SCHEMA_ID = "syncer.alert/v1"
SIGNATURE_HEADER = "X-Syncer-Signature"


def payload(event: AlertEvent) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "id": event.id,
        "event": event.type,
        "category": event.category,
        "tracker": event.tracker,
        "episode": {"key": one_line(event.key), "started_at": event.episode_started.isoformat()},
        "occurred_at": event.at.isoformat(),
        "title": render.title(event),
        "text": render.text(event),
        "subject": shown(event.data),
    }


def body(event: AlertEvent) -> bytes:
    return json.dumps(payload(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(raw_body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


def verify(raw_body: bytes, header: str, secret: str) -> bool:
    """The receiver's side of the recipe (also used by our tests)."""
    return hmac.compare_digest(signature(raw_body, secret), header)


def json_schema() -> dict[str, Any]:
    text = resources.files("syncer.alerts").joinpath("webhook.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


class WebhookSink:
    def __init__(self, name: str, url: str, secret: SecretStr | None, client: httpx.Client) -> None:
        self.name = name
        self._url = url
        self._secret = secret
        self._client = client

    def send(self, event: AlertEvent) -> None:
        raw = body(event)
        headers = {"X-Syncer-Event": event.type, "X-Syncer-Delivery": event.id}
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = signature(raw, self._secret.get_secret_value())
        post(self._client, self._url, raw, headers, what=f"webhook destination {self.name!r}")
