"""Prometheus metrics of the scoring API, in a registry of its own (one per app, so tests and
several apps in one process never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Scoring latency buckets around the 3 ms target, up to a second.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class ServingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter("mfs_score_requests", "Scoring requests answered, by model.",
                                ["model"], registry=registry)
        self.entities = Counter("mfs_scored_entities", "Entities scored, by model.",
                                ["model"], registry=registry)
        self.unknown = Counter("mfs_unknown_entities",
                               "Entities without online features (scored from missing values).",
                               ["model"], registry=registry)
        self.latency = Histogram("mfs_score_seconds", "Time to score one request (features, "
                                 "model, reason codes), by model.", ["model"],
                                 buckets=LATENCY_BUCKETS, registry=registry)
        self.version = Gauge("mfs_model_version", "The model version that answered last.",
                             ["model"], registry=registry)
        self.errors = Counter("mfs_request_errors", "Requests refused, by HTTP status.",
                              ["status"], registry=registry)

    def observe(self, model: str, version: int, entities: int, unknown: int,
                seconds: float) -> None:
        self.requests.labels(model).inc()
        self.entities.labels(model).inc(entities)
        if unknown:
            self.unknown.labels(model).inc(unknown)
        self.latency.labels(model).observe(seconds)
        self.version.labels(model).set(version)
