"""`mfs monitor drift MODEL`: the production model's current inputs and scores against its
reference, written as a dated report under data/monitoring/<model>/.

The current sample is what batch scoring would read now: Feast's offline features as of the
end of the last publish, for (up to `SAMPLE_ROWS` of) the current entities, scored by the
production model. The reference is the test window saved at training (training/reference.py).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml
from feast import FeatureStore

from mfs import paths
from mfs.featurestore.store import open_store
from monitoring.drift import DriftReport, Thresholds, drift_report
from monitoring.report import write_report
from serving.batch import current_entities, features_for
from serving.online import published_as_of, service_views
from serving.scorer import Scorer
from training.config import canonical_name
from training.reference import AS_OF as REFERENCE_AS_OF
from training.reference import SCORE, read_reference
from training.registry import Registry

SAMPLE_ROWS = 100_000
THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.yaml"


def monitoring_dir() -> Path:
    return Path(os.environ.get("MFS_MONITORING_DIR", paths.data_dir() / "monitoring"))


def thresholds_for(model: str, path: Path = THRESHOLDS_FILE) -> Thresholds:
    raw = yaml.safe_load(path.read_text()) or {}
    merged = {**raw.get("default", {}), **raw.get(model, {})}
    unknown = set(merged) - set(Thresholds.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{path}: unknown threshold keys {sorted(unknown)}; expected "
                         f"{sorted(Thresholds.__dataclass_fields__)}")
    return Thresholds(**merged)


def calendar_features(store: FeatureStore, service_name: str) -> frozenset[str]:
    """The service's features that trend with the calendar by construction (Feast field tag
    `trend: calendar`, from the dbt YAML's meta)."""
    service = store.get_feature_service(service_name)
    return frozenset(
        feature.name for projection in service.feature_view_projections
        for feature in store.get_feature_view(projection.name).features
        if feature.tags.get("trend") == "calendar")


@dataclass
class DriftRun:
    report: DriftReport
    files: dict[str, Path]


def monitor_drift(model: str, *, store: FeatureStore | None = None,
                  registry: Registry | None = None, version: int | None = None) -> DriftRun:
    model = canonical_name(model)
    store = store or open_store()
    scorer = Scorer.load(model, store, version=version, registry=registry)
    reference = read_reference(scorer.folder)
    as_of = published_as_of(service_views(store, scorer.service_name))
    ids = current_entities(store, scorer.service_name, as_of)
    if len(ids) > SAMPLE_ROWS:
        ids = sorted(random.Random(42).sample(ids, SAMPLE_ROWS))
    current = features_for(store, scorer, ids, as_of)
    scores = scorer.probabilities(scorer.trained.encoder.transform(current))
    kinds = {f.name: f.kind for f in scorer.trained.encoder.features}
    report = drift_report(model, scorer.version, as_of.isoformat(), kinds, reference, current,
                          SCORE, pd.Series(scores), thresholds_for(model),
                          calendar=calendar_features(store, scorer.service_name),
                          reference_as_of=reference.get(REFERENCE_AS_OF))
    folder = monitoring_dir() / model / f"drift-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    folder.mkdir(parents=True)
    return DriftRun(report, write_report(report, folder))
