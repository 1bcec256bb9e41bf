"""`mfs retrain MODEL`: retrain when the production model's data has drifted (or on demand),
let the promotion gate decide, and record why either way.

The decision is recorded in the model's registry history (`registry.json`):
- `retrain-skipped` with the drift report's verdict, when nothing crossed a threshold;
- otherwise the training run registers a version and the gate promotes it or refuses it
  (`promote` / `gate-refused`, with the gate's reasons), after a `retrain` entry that says what
  triggered it (the drifted features, or "on demand").
Performance-triggered retraining arrives with the performance monitor.
"""

from __future__ import annotations

from dataclasses import dataclass

from feast import FeatureStore

from mfs.featurestore.store import open_store
from monitoring.monitor import DriftRun, monitor_drift
from training.config import canonical_name
from training.registry import Registry
from training.train import TrainResult, train_model


@dataclass
class RetrainDecision:
    model: str
    trigger: str | None  # why it retrained; None when it did not
    drift: DriftRun | None
    result: TrainResult | None


def retrain(model: str, *, force: bool = False, store: FeatureStore | None = None,
            registry: Registry | None = None) -> RetrainDecision:
    model = canonical_name(model)
    store = store or open_store()
    registry = registry or Registry()
    drift = None
    if registry.production(model) is not None:
        drift = monitor_drift(model, store=store, registry=registry)
    production = registry.production(model)
    if force:
        trigger = "on demand"
    elif drift is None:
        trigger = "no production model"
    elif drift.report.drifted:
        trigger = f"drift alert on {', '.join(drift.report.alerts)}"
    else:
        registry.log(model, "retrain-skipped", production or 0,
                     f"no drift alert ({drift.files['json']})")
        return RetrainDecision(model, None, drift, None)
    registry.log(model, "retrain", production or 0, trigger)
    result = train_model(model, store=store, registry=registry)
    return RetrainDecision(model, trigger, drift, result)
