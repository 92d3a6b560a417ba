"""E-mail alerts arrive at a real local SMTP server (aiosmtpd), over STARTTLS with a certificate made here."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from syncer.alerts.base import DeliveryError
from syncer.alerts.email import EmailSink
from syncer.alerts.events import AlertEvent, wip_subject
from syncer.models import IssueRef, WipBreach, WipItem

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        yield inbox, port, cert
    finally:
        controller.stop()


def _event() -> AlertEvent:
    item = WipItem(IssueRef("jira", "ACME-1"), "Fix login", "https://acme.test/browse/ACME-1", NOW, 12.25)
    breach = WipBreach("jira", "status", "In Progress", 3, 4, (item,))
    return AlertEvent.new("started", wip_subject(breach, {}), episode_started=NOW, at=NOW)


def test_alert_arrives_over_starttls_with_a_readable_text_part(smtp: tuple[Inbox, int, Path]) -> None:
    inbox, port, cert = smtp
    sink = EmailSink(
        "email",
        host="localhost",
        port=port,
        starttls=True,
        sender="syncer@acme.test",
        to=["team@acme.test", "lead@acme.test"],
        ca_file=cert,
    )
    sink.send(_event())

    [(recipients, msg)] = inbox.messages
    assert recipients == ["team@acme.test", "lead@acme.test"]
    assert msg["Subject"] == "[syncer] WIP limit exceeded: column In Progress on jira has 4 in progress (limit 3)"
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "- ACME-1 Fix login (12.2 days) https://acme.test/browse/ACME-1" in text
    assert "finish or unblock the oldest items before starting anything new" in text


def test_a_server_that_requires_starttls_refuses_a_plain_session(smtp: tuple[Inbox, int, Path]) -> None:
    inbox, port, _ = smtp
    sink = EmailSink("email", host="127.0.0.1", port=port, starttls=False, sender="s@acme.test", to=["t@acme.test"])
    with pytest.raises(DeliveryError, match="server answered 530"):
        sink.send(_event())
    assert inbox.messages == []


def test_an_untrusted_certificate_is_a_delivery_error_not_a_plain_fallback(smtp: tuple[Inbox, int, Path]) -> None:
    inbox, port, _ = smtp
    sink = EmailSink("email", host="localhost", port=port, starttls=True, sender="s@acme.test", to=["t@acme.test"])
    with pytest.raises(DeliveryError, match="SSLCertVerificationError"):
        sink.send(_event())
    assert inbox.messages == []
