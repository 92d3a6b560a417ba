"""E-mail over SMTP (STARTTLS by default) with a plain-text body people can read in any client.

Headers are built by `EmailMessage`, which refuses CR and LF in a header value; the subject is made one clean
line before that, so an issue key carrying "\r\nBcc: ..." can neither add a header nor stop the message.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from pydantic import SecretStr

from syncer.alerts import render
from syncer.alerts.base import DeliveryError
from syncer.alerts.events import AlertEvent
from syncer.escape import clean, one_line

SUBJECT_MAX = 250


def message(event: AlertEvent, *, sender: str, to: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = one_line(f"[syncer] {render.title(event)}", SUBJECT_MAX)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(event.at)
    msg["Message-ID"] = make_msgid(idstring=event.id.replace("-", ""))
    msg["X-Syncer-Delivery"] = event.id
    msg.set_content(clean(render.text(event)) + "\n\n-- \nSent by syncer.\n")
    return msg


class EmailSink:
    def __init__(
        self,
        name: str,
        *,
        host: str,
        port: int,
        starttls: bool,
        sender: str,
        to: list[str],
        username: str | None = None,
        password: SecretStr | None = None,
        timeout: float = 30.0,
        ca_file: Path | None = None,
    ) -> None:
        self.name = name
        self._host, self._port, self._starttls = host, port, starttls
        self._sender, self._to = sender, to
        self._username, self._password = username, password
        self._timeout = timeout
        self._ca_file = ca_file

    def send(self, event: AlertEvent) -> None:
        what = f"email destination {self.name!r}"
        try:
            built = message(event, sender=self._sender, to=self._to)
        except (ValueError, TypeError) as exc:  # a header EmailMessage refuses: this message's fault, not the server's
            raise DeliveryError(
                f"{what}: the message cannot be built ({type(exc).__name__})", message_fault=True
            ) from None
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.ehlo()
                if self._starttls:
                    context = ssl.create_default_context(cafile=str(self._ca_file) if self._ca_file else None)
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if self._username and self._password is not None:
                    smtp.login(self._username, self._password.get_secret_value())
                smtp.send_message(built)
        except smtplib.SMTPDataError as exc:
            # A permanent (5xx) refusal of the message text: the server works, this message will never pass.
            raise DeliveryError(
                f"{what}: server answered {exc.smtp_code}", message_fault=exc.smtp_code >= 500
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{what}: server answered {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{what}: {type(exc).__name__}") from None
