"""Connector error tree.

ConnectorError
├── TrackerUnavailable        the tracker cannot be reached (exit 3)
│   └── AuthenticationFailed  it refused the credentials (exit 3)
├── TrackerConfigError        the tracker says our configuration is wrong: unknown field, bad JQL (exit 2)
└── RetriableConnectorError   worth another attempt: 429, 5xx, timeout, dropped connection
    └── RateLimitedError      the tracker asked us to wait (`retry_after` seconds, when it said)
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error a connector raises."""


class TrackerUnavailable(ConnectorError):
    """The tracker could not be reached or keeps failing; the run cannot read it."""


class AuthenticationFailed(TrackerUnavailable):
    """401/403: the message names the credential and the URL, never the secret."""


class TrackerConfigError(ConnectorError):
    """The configuration does not match the tracker (unknown field name, ambiguous name, bad query)."""


class RetriableConnectorError(ConnectorError):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimitedError(RetriableConnectorError):
    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after
