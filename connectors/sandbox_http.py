"""A tiny threaded HTTP server on loopback for tracker sandboxes (Jira, Linear), with seeded fault injection.

A sandbox is an `app`: a callable from `SandboxRequest` to `SandboxResponse`. This module owns the socket,
the request log and the faults, so every sandbox misbehaves the same way:

- "429": 429 with `Retry-After` (seconds) and `RateLimit-Reason`, the request is not applied;
- "503": 503 with `Retry-After`, not applied;  "500": 500, not applied;
- "delay": sleep `delay` seconds, then apply and answer normally;
- "drop": close the connection without answering, not applied;
- "drop_after": apply, then close the connection without answering. The fault that matters for writes: the
  server did the work but the client cannot know, so a blind retry of a POST duplicates it (on a read it is
  just a drop). Not in the default kinds; `only` can aim faults at the write endpoints.

Faults are drawn per request from a RNG seeded with `FaultConfig.seed`, so a failing test can be replayed.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

_POLL = 0.05
"""Seconds between shutdown checks; the default 0.5 s would add half a second to every test's teardown."""
FAULT_KINDS = ("429", "503", "500", "delay", "drop", "drop_after")


class _Headers(Mapping[str, str]):
    """Request headers with case-insensitive lookup (HTTP header names are case-insensitive)."""

    def __init__(self, items: Mapping[str, str]) -> None:
        self._items = {k.lower(): v for k, v in items.items()}

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class SandboxRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (None when empty); raises ValueError on malformed JSON."""
        if not self.body:
            return None
        return json.loads(self.body)

    def param(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class SandboxResponse:
    status: int = 200
    body: Any = None
    """JSON-serialised unless bytes or str; None sends an empty body."""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FaultConfig:
    rate: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = ("429", "503", "500", "delay", "drop")
    retry_after: float = 1.0
    delay: float = 0.5
    rate_limit_reason: str = "jira-burst-based"
    only: str | None = None
    """A regex searched in "METHOD /path": only matching requests get faults (None: all), e.g. "^(POST|PUT) "."""
    only_body: str | None = None
    """A regex searched in the first 500 characters of the body: only matching requests get faults (None: all).
    Aims at one GraphQL operation, where every request is `POST /graphql`: "mutation DeleteComment\\b"."""
    latency: float = 0.0
    """Seconds every request waits before it is answered, as a real service over a real network does. Slept in
    the request's own thread, outside every lock, so concurrent requests overlap as they would on a real site."""

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        if self.latency < 0:
            raise ValueError("latency must be 0 or more seconds")


@dataclass
class RequestRecord:
    method: str
    path: str
    status: int
    """The status sent, or the app's status for "drop_after"; 0 when the connection was dropped unanswered."""
    query: dict[str, list[str]]
    fault: str | None


App = Callable[[SandboxRequest], SandboxResponse]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or give up close their end mid-request; that is normal traffic, not a crash.
        log.debug("sandbox.client-gone client=%s", client_address, exc_info=True)


def _retry_after(value: float) -> str:
    # Retry-After is integral seconds on the wire in real trackers, but tests need sub-second waits.
    return str(int(value)) if value == int(value) else f"{value:g}"


class SandboxHTTPServer:
    """Serves `app` on `host:port` (port 0 picks a free one) in a daemon thread; `url` is ready after init."""

    def __init__(self, app: App, *, host: str = "127.0.0.1", port: int = 0, faults: FaultConfig | None = None) -> None:
        self.app = app
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._faults = faults or FaultConfig()
        self._rng = random.Random(self._faults.seed)
        self._thread: threading.Thread | None = None
        self._httpd = _QuietServer((host, port), _handler_class(self))
        bound_host, bound_port = self._httpd.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"

    @property
    def faults(self) -> FaultConfig:
        return self._faults

    @faults.setter
    def faults(self, value: FaultConfig) -> None:
        with self._lock:
            self._faults = value
            self._rng = random.Random(value.seed)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> SandboxHTTPServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(_POLL,), name="sandbox-http", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI's foreground mode)."""
        try:
            self._httpd.serve_forever(_POLL)
        finally:
            self._httpd.server_close()

    def __enter__(self) -> SandboxHTTPServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _draw_fault(self, request: SandboxRequest) -> tuple[str | None, FaultConfig]:
        with self._lock:
            config = self._faults
            target = f"{request.method} {request.path}"
            if config.rate <= 0 or not config.kinds or (config.only and not re.search(config.only, target)):
                return None, config
            if config.only_body and not re.search(config.only_body, request.body[:500].decode("utf-8", "replace")):
                return None, config
            if self._rng.random() >= config.rate:
                return None, config
            return self._rng.choice(config.kinds), config

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def _dispatch(self, request: SandboxRequest) -> tuple[SandboxResponse | None, str | None]:
        """The response to send (None: drop the connection) and the fault injected, if any."""
        fault, config = self._draw_fault(request)
        if config.latency:
            time.sleep(config.latency)
        if fault == "429":
            headers = {
                "Retry-After": _retry_after(config.retry_after),
                "RateLimit-Reason": config.rate_limit_reason,
            }
            return SandboxResponse(429, {"errorMessages": ["Rate limit exceeded."]}, headers), fault
        if fault == "503":
            headers = {"Retry-After": _retry_after(config.retry_after)}
            return SandboxResponse(503, {"errorMessages": ["Service unavailable."]}, headers), fault
        if fault == "500":
            return SandboxResponse(500, {"errorMessages": ["Internal server error (injected)."]}), fault
        if fault == "drop":
            return None, fault
        if fault == "delay":
            time.sleep(config.delay)
        try:
            response = self.app(request)
        except Exception:
            log.exception("sandbox.app-error method=%s path=%s", request.method, request.path)
            response = SandboxResponse(500, {"errorMessages": ["sandbox error; see the server log"]})
        return response, fault


def _encode(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


def _handler_class(server: SandboxHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, each answer waits for a delayed ACK (~40 ms).
        disable_nagle_algorithm = True

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            query = parse_qs(parts.query, keep_blank_values=True)
            request = SandboxRequest(self.command, parts.path, query, _Headers(dict(self.headers.items())), body)
            response, fault = server._dispatch(request)
            if response is None or fault == "drop_after":
                status = response.status if response is not None else 0
                server._record(RequestRecord(self.command, parts.path, status, query, fault))
                self.close_connection = True
                return
            payload = _encode(response.body)
            # Logged before answering: a client that has its response must find its request in the log.
            server._record(RequestRecord(self.command, parts.path, response.status, query, fault))
            self.send_response(response.status)
            headers = {k.lower(): v for k, v in response.headers.items()}
            if payload and "content-type" not in headers:
                self.send_header("Content-Type", "application/json;charset=UTF-8")
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload and self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("sandbox.http " + format, *args)

    return Handler
