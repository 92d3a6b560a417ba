"""Local destinations for demos and self-hosting without a chat tool: the terminal and a JSON-lines file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from syncer.alerts import render, webhook
from syncer.alerts.base import DeliveryError
from syncer.alerts.events import AlertEvent


class ConsoleSink:
    def __init__(self, name: str, stream: str = "stderr") -> None:
        self.name = name
        self._stream = stream

    def _out(self) -> TextIO:
        # Looked up at send time, not bound at start, so a redirected or captured stream is honoured.
        return sys.stdout if self._stream == "stdout" else sys.stderr

    def send(self, event: AlertEvent) -> None:
        marker = {"started": "ALERT", "reminder": "REMINDER", "resolved": "RESOLVED"}[event.type]
        out = self._out()
        out.write(f"[{marker}] " + render.text(event).replace("\n", "\n    ") + "\n")
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
