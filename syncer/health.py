"""`/metrics` and `/healthz` for `syncer schedule`, on a small threaded HTTP server beside the scheduler loop.

Healthy means the schedule is keeping up: the last run finished (or, before the first run, the process started)
no more than two schedule slots ago. A wedged run or a loop that stopped scheduling turns `/healthz` to 503,
so a Kubernetes liveness probe restarts the container.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST

from syncer import metrics
from syncer.scheduler import next_run
from syncer.settings import ScheduleSettings

log = logging.getLogger(__name__)


@dataclass
class Health:
    schedule: ScheduleSettings
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    last_finished: datetime | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def finished(self, when: datetime | None = None) -> None:
        self.last_finished = when or self.clock()

    def deadline(self) -> datetime:
        """The second slot after the last finished run (or the start): past it, the schedule is not keeping up."""
        since = self.last_finished or self.started
        first = next_run(self.schedule.cron, self.schedule.zone, since)
        second = next_run(self.schedule.cron, self.schedule.zone, first)
        return second + timedelta(seconds=self.schedule.jitter_seconds)

    def status(self) -> tuple[bool, dict[str, str | None]]:
        deadline = self.deadline()
        detail = {
            "last_finished": self.last_finished.isoformat(timespec="seconds") if self.last_finished else None,
            "deadline": deadline.isoformat(timespec="seconds"),
        }
        return self.clock() <= deadline, detail


class _Handler(BaseHTTPRequestHandler):
    health: Health

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, metrics.exposition(), CONTENT_TYPE_LATEST)
        elif path == "/healthz":
            ok, detail = self.health.status()
            body = json.dumps({"status": "ok" if ok else "stale", **detail}).encode()
            self._send(200 if ok else 503, body, "application/json")
        else:
            self._send(404, b"not found: try /metrics or /healthz\n", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("metrics.request %s", format % args)


def serve(host: str, port: int, health: Health) -> ThreadingHTTPServer:
    """Start serving in a daemon thread; the server's `server_address` holds the port actually bound."""
    handler = type("Handler", (_Handler,), {"health": health})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    return server
