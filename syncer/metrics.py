"""Prometheus metrics: what a platform engineer alerts on when a scheduled sync goes quiet or starts failing.

Per tracker, from the last run: when it last succeeded, how long it took, issues pulled / scored / needing input,
fields and comments written, write failures, WIP breaches, aging items, alerts sent / pending / dead-lettered.
Counted while running: API requests by outcome, retries and rate-limit waits (the connectors report them).

`syncer run` pushes them to a Pushgateway (`[metrics] pushgateway_url`), one group per tracker
(`job`, `tracker`), so one CronJob per tracker never overwrites another's figures. `syncer schedule` serves
them on `/metrics` beside `/healthz` (see `syncer.health`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import push_to_gateway
from prometheus_client.metrics_core import Metric

from syncer.logs import current_tracker

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
_T = ("tracker",)

API_REQUESTS = Counter(
    "syncer_api_requests", "HTTP requests sent to a tracker, by outcome.", (*_T, "outcome"), registry=REGISTRY
)
RETRIES = Counter(
    "syncer_retries", "Requests retried after a retriable failure (5xx, timeout, drop).", _T, registry=REGISTRY
)
RATE_LIMIT_WAITS = Counter(
    "syncer_rate_limit_waits", "Times a tracker's rate limit made syncer wait before retrying.", _T, registry=REGISTRY
)
RATE_LIMIT_WAIT_SECONDS = Counter(
    "syncer_rate_limit_wait_seconds", "Seconds spent waiting for a tracker's rate limit.", _T, registry=REGISTRY
)

_RUN_GAUGES: dict[str, tuple[str, str]] = {
    "last_success": (
        "syncer_last_success_timestamp_seconds",
        "When a run last read and wrote this tracker without an error.",
    ),
    "last_run": ("syncer_last_run_timestamp_seconds", "When the last run of this tracker finished (any outcome)."),
    "up": ("syncer_last_run_success", "1 when the last run of this tracker succeeded, else 0."),
    "duration": ("syncer_run_duration_seconds", "Duration of the last run (the whole job)."),
    "pulled": ("syncer_issues_pulled", "Issues pulled from the tracker in the last run."),
    "scored": ("syncer_issues_scored", "Open issues scored in the last run."),
    "needs_input": ("syncer_issues_needing_input", "Open issues that could not be scored (missing or bad inputs)."),
    "fields": ("syncer_fields_written", "Fields written back in the last run."),
    "comments": ("syncer_comments_written", "Comments created or edited in the last run."),
    "write_failures": ("syncer_write_failures", "Issues whose write failed in the last run (retried next run)."),
    "wip_breaches": ("syncer_wip_breaches", "WIP limits breached at the last run."),
    "aging": ("syncer_aging_items", "In-progress items past their aging threshold at the last run."),
    "alerts_sent": ("syncer_alerts_sent", "Alert messages delivered in the last run."),
    "alerts_pending": ("syncer_alerts_pending", "Alert messages queued and not yet delivered."),
    "alerts_dead": (
        "syncer_alerts_dead_lettered",
        "Alert messages dead-lettered in the last run (a destination kept refusing them; kept, not retried).",
    ),
}
GAUGES = {key: Gauge(name, doc, _T, registry=REGISTRY) for key, (name, doc) in _RUN_GAUGES.items()}


def _tracker() -> str:
    return current_tracker() or "-"


def count_request(outcome: str) -> None:
    """One HTTP request to the tracker in context: ok, rate_limited, retriable, refused, rejected."""
    API_REQUESTS.labels(_tracker(), outcome).inc()


def request_outcome(error: BaseException | None) -> str:
    """The `outcome` label for a request that raised `error` (None: it succeeded)."""
    from connectors.errors import AuthenticationFailed, RateLimitedError, RetriableConnectorError

    if error is None:
        return "ok"
    if isinstance(error, RateLimitedError):
        return "rate_limited"
    if isinstance(error, RetriableConnectorError):
        return "retriable"
    if isinstance(error, AuthenticationFailed):
        return "refused"
    return "rejected"


def count_retry(kind: str, wait: float) -> None:
    """A retry about to sleep `wait` seconds; kind "rate_limit_wait" or "retry"."""
    tracker = _tracker()
    if kind == "rate_limit_wait":
        RATE_LIMIT_WAITS.labels(tracker).inc()
        RATE_LIMIT_WAIT_SECONDS.labels(tracker).inc(wait)
    else:
        RETRIES.labels(tracker).inc()


@dataclass(frozen=True)
class TrackerFigures:
    """One tracker's figures from one run (from the same summary `syncer run --json` prints)."""

    name: str
    ok: bool
    pulled: int
    scored: int
    needs_input: int
    fields: int
    comments: int
    write_failures: int
    wip_breaches: int
    aging: int
    alerts_sent: int
    alerts_pending: int
    alerts_dead: int


def record_run(figures: Iterable[TrackerFigures], *, finished: datetime, duration: float) -> None:
    for f in figures:
        g = {key: gauge.labels(f.name) for key, gauge in GAUGES.items()}
        stamp = finished.timestamp()
        g["last_run"].set(stamp)
        g["up"].set(1 if f.ok else 0)
        if f.ok:
            g["last_success"].set(stamp)
        g["duration"].set(duration)
        for key in ("pulled", "scored", "needs_input", "fields", "comments", "write_failures"):
            g[key].set(getattr(f, key))
        for key in ("wip_breaches", "aging", "alerts_sent", "alerts_pending", "alerts_dead"):
            g[key].set(getattr(f, key))


class _OneTracker:
    """The samples of one tracker only: a Pushgateway group holds exactly that tracker's series."""

    def __init__(self, tracker: str) -> None:
        self.tracker = tracker

    def collect(self) -> Iterator[Metric]:
        for metric in REGISTRY.collect():
            samples = [s for s in metric.samples if s.labels.get("tracker") == self.tracker]
            if samples:
                copy = Metric(metric.name, metric.documentation, metric.type, metric.unit)
                copy.samples = samples
                yield copy


def tracker_registry(tracker: str) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_OneTracker(tracker))
    return registry


def exposition() -> bytes:
    return bytes(generate_latest(REGISTRY))


def push(url: str, *, job: str, trackers: Iterable[str], timeout: float = 10.0) -> list[str]:
    """Push each tracker's series to its own group; returns the problems (a push failure never fails the run)."""
    problems: list[str] = []
    for name in trackers:
        try:
            push_to_gateway(
                url, job=job, grouping_key={"tracker": name}, registry=tracker_registry(name), timeout=timeout
            )
        except Exception as exc:  # a metrics outage must not fail a sync that worked
            problems.append(f"pushing metrics for {name!r} to {url} failed: {type(exc).__name__}: {exc}")
            log.warning("metrics.push-failed", extra={"target": name, "error": type(exc).__name__})
        else:
            log.info("metrics.pushed", extra={"target": name, "job": job})
    return problems


def figures_from_summary(
    data: Mapping[str, object], *, aging: Mapping[str, int], alerts: Mapping[str, Mapping[str, int]]
) -> list[TrackerFigures]:
    """Per-tracker figures from the `--json` summary, so the metrics and the summary can never disagree."""
    out: list[TrackerFigures] = []
    errors = data.get("errors", [])
    assert isinstance(errors, list)
    trackers = data.get("trackers", [])
    assert isinstance(trackers, list)
    for t in trackers:
        name = str(t["name"])
        failures = sum(1 for e in errors if e.get("tracker") == name and e.get("kind") == "write")
        per = alerts.get(name, {})
        out.append(
            TrackerFigures(
                name=name,
                ok=not t["error"] and failures == 0,
                pulled=int(t["issues"]),
                scored=int(t["scored"]),
                needs_input=int(t["needs_input"]),
                fields=int(t["fields_written"]),
                comments=int(t["comments_written"]),
                write_failures=failures,
                wip_breaches=int(t["wip_breaches"]),
                aging=int(aging.get(name, 0)),
                alerts_sent=int(per.get("sent", 0)),
                alerts_pending=int(per.get("pending", 0)),
                alerts_dead=int(per.get("dead", 0)),
            )
        )
    return out
