"""Prometheus metrics for ``/metrics`` (one registry per running app, so tests stay isolated)."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

_COUNTERS = {
    "kakehashi_messages_total": ("Inbound community messages by outcome", ("outcome",)),
    "kakehashi_items_total": ("Items routed to departments by rules.yaml routes (not flags or commands)", ()),
    "kakehashi_deliveries_total": ("Outbox delivery attempts by platform and result", ("platform", "result")),
    "kakehashi_requests_total": ("Inbound HTTP requests by endpoint and status", ("endpoint", "status")),
    "kakehashi_slow_classifications_total": ("Messages whose classification exceeded its time budget", ()),
}
_GAUGES = {
    "kakehashi_outbox_rows": ("Outbox rows by status", ("status",)),
    "kakehashi_outbox_oldest_pending_seconds": ("Age of the oldest pending outbox row (0: none)", ()),
    "kakehashi_after_ack_events": (
        "Events acked before their work was done, kept in the spool: waiting out an outage, or failed",
        ("platform", "state"),
    ),
}
_HISTOGRAMS = {
    # Slack wants an answer within 3 s: the buckets resolve the range below and around it
    "kakehashi_request_seconds": (
        "Inbound HTTP request latency by endpoint",
        ("endpoint",),
        (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0, 10.0),
    ),
    # group commit (storage/intake.py): how many new messages each transaction stored
    "kakehashi_store_batch_events": (
        "New community messages stored per transaction (group commit)",
        (),
        (1, 2, 4, 8, 16, 32, 64, 128, 256),
    ),
}


class Metrics:
    def __init__(self) -> None:
        # No ``*_created`` series next to each counter: ``kakehashi_items_created 1.79e+09`` is a
        # start timestamp that reads like a count, and README names only the series below.
        disable_created_metrics()
        self.registry = CollectorRegistry()
        self.counters = {
            name: Counter(name.removesuffix("_total"), doc, labels, registry=self.registry)
            for name, (doc, labels) in _COUNTERS.items()
        }
        self.gauges = {
            name: Gauge(name, doc, labels, registry=self.registry) for name, (doc, labels) in _GAUGES.items()
        }

        self.histograms = {
            name: Histogram(name, doc, labels, buckets=buckets, registry=self.registry)
            for name, (doc, labels, buckets) in _HISTOGRAMS.items()
        }

    def observe(self, name: str, value: float, **labels: str) -> None:
        histogram = self.histograms[name]
        (histogram.labels(**labels) if labels else histogram).observe(value)

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        counter = self.counters[name]
        (counter.labels(**labels) if labels else counter).inc(amount)

    def set(self, name: str, value: float, **labels: str) -> None:
        gauge = self.gauges[name]
        (gauge.labels(**labels) if labels else gauge).set(value)

    def render(self) -> bytes:
        return generate_latest(self.registry)
