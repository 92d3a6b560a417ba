"""Local destinations for demos and self-hosting without a chat tool: the terminal and a JSON-lines file."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TextIO

from syncer.alerts import render, webhook
from syncer.alerts.base import DeliveryError
from syncer.alerts.events import AlertEvent
from syncer.logs import json_mode

log = logging.getLogger(__name__)


_deferred: list[str] | None = None


def defer() -> None:
    """Hold console alerts until `take_deferred` (a terminal shows the run summary first, then a digest)."""
    global _deferred
    _deferred = []


def take_deferred() -> list[str]:
    """The held alert texts, and stop holding."""
    global _deferred
    held, _deferred = _deferred or [], None
    return held


class ConsoleSink:
    def __init__(self, name: str, stream: str = "stderr") -> None:
        self.name = name
        self._stream = stream

    def _out(self) -> TextIO:
        # Looked up at send time, not bound at start, so a redirected or captured stream is honoured.
        return sys.stdout if self._stream == "stdout" else sys.stderr

    def send(self, event: AlertEvent) -> None:
        marker = {"started": "ALERT", "reminder": "REMINDER", "resolved": "RESOLVED"}[event.type]
        text = f"[{marker}] " + render.text(event).replace("\n", "\n    ")
        if _deferred is not None and self._stream == "stderr":
            _deferred.append(text)
            return
        if json_mode() and self._stream == "stderr":
            # stderr carries one JSON object per line: the alert goes as a log record, not as loose text.
            log.warning("alerts.console %s", render.text(event).split("\n", 1)[0], extra={"alert": text})
            return
        out = self._out()
        out.write(text + "\n")
        out.flush()


class FileSink:
    """Appends the webhook payload (same schema) as one JSON line per message."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self._path = path

    def send(self, event: AlertEvent) -> None:
        line = json.dumps(webhook.payload(event), sort_keys=True, ensure_ascii=False)
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise DeliveryError(f"file destination {self.name!r}: {exc.strerror}") from None
