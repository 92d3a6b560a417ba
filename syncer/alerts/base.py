"""What every alert destination offers, and the one HTTP POST the Slack and webhook destinations share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import httpx

from syncer import __version__
from syncer.alerts.events import AlertEvent


class DeliveryError(Exception):
    """A destination did not accept a message. The text is safe to store and log: it never holds a secret."""


class Sink(Protocol):
    name: str

    def send(self, event: AlertEvent) -> None:
        """Deliver one message or raise `DeliveryError`."""
        ...


def post(client: httpx.Client, url: str, body: bytes, headers: Mapping[str, str], *, what: str) -> None:
    """POST `body`; any non-2xx answer or transport failure is a `DeliveryError` that names `what`, not the URL.

    The URL is left out of every message on purpose: a Slack incoming-webhook URL is itself the credential.
    """
    sent = {"Content-Type": "application/json", "User-Agent": f"syncer/{__version__}", **headers}
    try:
        response = client.post(url, content=body, headers=sent)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{what}: timed out ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{what}: request failed ({type(exc).__name__})") from None
    if not response.is_success:
        raise DeliveryError(f"{what}: answered HTTP {response.status_code} {response.reason_phrase}".rstrip())
