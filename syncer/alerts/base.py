"""What every alert destination offers, and the one HTTP POST the Slack and webhook destinations share."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

import httpx

from syncer import __version__
from syncer.alerts.events import AlertEvent
from syncer.logs import register_secret


class _RedactSecrets(logging.Filter):
    """Masks registered secrets in httpx's own request log ("HTTP Request: POST <url> ...").

    httpx logs every request URL at INFO; for a Slack incoming webhook the URL is the credential, and `-v`
    would otherwise print it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hits = [s for s in self.secrets if s in message]
        if hits:
            for secret in hits:
                message = message.replace(secret, "***")
            record.msg, record.args = message, ()
        return True


_redactor = _RedactSecrets()
logging.getLogger("httpx").addFilter(_redactor)


def redact_in_logs(secret: str) -> None:
    """Never let `secret` reach a log line written by httpx."""
    if secret:
        _redactor.secrets.add(secret)
        register_secret(secret)


class DeliveryError(Exception):
    """A destination did not accept a message. The text is safe to store and log: it never holds a secret.

    `message_fault` says the destination works but refused this one message (or it could not be built): the
    other messages go on, and this one is dead-lettered after `max_attempts`. Otherwise the destination itself
    failed (unreachable, 5xx, timed out, refused the credentials) and its messages wait for the next run.
    """

    def __init__(self, message: str, *, message_fault: bool = False) -> None:
        super().__init__(message)
        self.message_fault = message_fault


MESSAGE_REFUSED = frozenset({400, 413, 422})
"""HTTP answers that refuse the message rather than the sender (bad payload, too large, unprocessable)."""


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
        raise DeliveryError(
            f"{what}: answered HTTP {response.status_code} {response.reason_phrase}".rstrip(),
            message_fault=response.status_code in MESSAGE_REFUSED,
        )
