"""The models a server answers for: each production version with its online feature reader,
swapped for a newly promoted version without a restart and without dropping a request.

A background thread polls the registry (`registry.json`, a file read every `poll_seconds`);
when a model's production alias moves, the new version is loaded completely (booster, encoder,
card, feature reader) and only then replaces the old one in a single reference assignment.
A request already holding the old `ServedModel` finishes with it; the next one gets the new
one. A version that fails to load is reported by `status()` and the old one keeps serving.

Unknown entities: an id the online store has no row for is scored from an all-missing feature
vector (XGBoost sends every missing value down its learned default branch) and flagged
`found: false`, rather than failing the request. A lead that arrived after the last publish
still gets a usable default score, and a batch of ids is never rejected for one newcomer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feast import FeatureStore

from serving.online import OnlineFeatureReader
from serving.scorer import Reason, Scorer
from training.config import model_names
from training.registry import Registry

log = logging.getLogger(__name__)


@dataclass
class EntityScore:
    id: str
    found: bool
    probability: float
    decile: int
    reasons: list[Reason]
    feature_timestamps: dict[str, datetime | None]
    features: dict[str, object] | None = None


class ServedModel:
    """A scorer plus the reader of its feature service's online features."""

    def __init__(self, scorer: Scorer, reader: OnlineFeatureReader) -> None:
        self.scorer, self.reader = scorer, reader

    @classmethod
    def load(cls, model: str, store: FeatureStore, registry: Registry,
             version: int | None = None) -> ServedModel:
        scorer = Scorer.load(model, store, version=version, registry=registry, online=True)
        return cls(scorer, OnlineFeatureReader(store, scorer.service_name))

    def score(self, ids: Sequence[str], reasons: int = 3,
              with_features: bool = False) -> list[EntityScore]:
        rows = self.reader.read(ids)
        matrix = self.scorer.trained.encoder.transform_records(rows.values)
        probabilities, explained = self.scorer.explain(matrix, reasons, rows.values)
        deciles = self.scorer.deciles(probabilities)
        return [EntityScore(entity_id, rows.found[i], float(probabilities[i]), int(deciles[i]),
                            explained[i], rows.timestamps[i],
                            rows.values[i] if with_features else None)
                for i, entity_id in enumerate(ids)]

    def describe(self) -> dict[str, Any]:
        card = self.scorer.card
        return {"model": self.scorer.model, "version": self.scorer.version,
                "feature_service": self.scorer.service_name,
                "entity_key": self.scorer.join_key, "trained_at": card["trained_at"],
                "features_as_of": self.reader.as_of.isoformat(),
                "test_roc_auc": card["test"]["model"]["roc_auc"]}


class ProductionModels:
    def __init__(self, store: FeatureStore, registry: Registry | None = None,
                 models: Sequence[str] | None = None, poll_seconds: float = 1.0) -> None:
        self.store = store
        self.registry = registry or Registry()
        self.models = list(models) if models is not None else model_names()
        self.poll_seconds = poll_seconds
        self._served: dict[str, ServedModel] = {}
        self._errors: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one refresh at a time (the poller and a manual call)

    def get(self, model: str) -> ServedModel | None:
        return self._served.get(model)

    def refresh(self) -> list[str]:
        """Load every model whose production version is not the one served; returns what
        changed, as `model vN`."""
        changed = []
        with self._lock:
            registry_refreshed = False
            for model in self.models:
                wanted = self.registry.production(model)
                current = self._served.get(model)
                if wanted == (current.scorer.version if current else None):
                    continue
                if wanted is None:
                    self._served.pop(model, None)  # production alias removed: stop serving
                    changed.append(f"{model} none")
                    continue
                try:
                    if not registry_refreshed:  # the version may use a newly applied service
                        self.store.refresh_registry()
                        registry_refreshed = True
                    served = ServedModel.load(model, self.store, self.registry, wanted)
                except Exception as exc:  # keep serving the old version; report why
                    message = f"loading {model} v{wanted} failed: {exc}"
                    if self._errors.get(model) != message:
                        log.error(message)
                    self._errors[model] = message
                    continue
                self._served[model] = served  # the swap: one reference assignment
                self._errors.pop(model, None)
                changed.append(f"{model} v{wanted}")
                log.info("serving %s v%s", model, wanted)
        return changed

    def status(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for model in self.models:
            served = self._served.get(model)
            out[model] = {"serving": served.scorer.version if served else None,
                          "error": self._errors.get(model)}
        return out

    def start(self) -> None:
        self.refresh()
        self._thread = threading.Thread(target=self._poll, name="model-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.refresh()
            except Exception:  # a torn read of the registry: try again next tick
                log.exception("refreshing the served models failed")
