"""A plain local SMTP relay (aiosmtpd) for job-level tests: records messages, can refuse some with a 5xx."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Relay:
    port: int = 0
    refuse: Callable[[EmailMessage], bool] = lambda _: False
    accepted: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refused: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        if self.refuse(parsed):
            self.refused.append(parsed)
            return "554 5.7.1 Message refused by content policy"
        self.accepted.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def config(self, *, name: str = "email", max_attempts: int | None = None) -> str:
        """An `[[alerts]]` entry (TOML) sending to this relay without STARTTLS."""
        extra = f"max_attempts = {max_attempts}\n" if max_attempts is not None else ""
        return (
            f'\n[[alerts]]\nkind = "email"\nname = "{name}"\nhost = "127.0.0.1"\nport = {self.port}\n'
            f'starttls = false\nsender = "syncer@acme.test"\nto = ["team@acme.test"]\n{extra}'
        )


@contextmanager
def relay(refuse: Callable[[EmailMessage], bool] = lambda _: False) -> Iterator[Relay]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    state = Relay(port=port, refuse=refuse)
    controller = Controller(state, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield state
    finally:
        controller.stop()
