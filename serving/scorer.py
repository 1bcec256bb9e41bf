"""One registered model version, ready to score: probability, decile and reason codes.

Online (serving/api.py) and batch (serving/batch.py) scoring both go through `Scorer`, which
goes through `TrainedModel` (the booster and the encoder saved at training). So a vector of
features becomes the same probability whichever path fetched it.

- **Decile**: fixed at training, from the score ranges of the model card's test-window deciles
  (1 = the highest scores). A score's decile is the first decile whose lowest test score it
  reaches, so it is a pure function of the score: online and batch always agree, and decile 1
  means "as likely as the top 10% of the test window", not "top 10% of today's batch".
- **Reason codes**: XGBoost's own per-prediction TreeSHAP contributions (log-odds), the
  largest by absolute value, each with the feature's description from the dbt YAML (through
  the Feast field), its value, and whether it raised or lowered the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from feast import FeatureStore

from training import card as model_card
from training.config import canonical_name
from training.model import TrainedModel
from training.registry import Registry, RegistryError


class NoProductionModelError(RegistryError):
    """The model has no production version to serve."""


@dataclass(frozen=True)
class Reason:
    feature: str
    description: str
    value: object
    contribution: float  # log-odds; positive raises the score

    def as_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "description": self.description, "value": self.value,
                "contribution": self.contribution,
                "direction": "raises" if self.contribution > 0 else "lowers"}


def decile_floors(card: dict[str, Any]) -> np.ndarray:
    """The lowest test-window score of deciles 1..9 (decile 10 takes everything below)."""
    deciles = sorted(card["test"]["model"]["deciles"], key=lambda d: d["decile"])
    return np.array([d["min_score"] for d in deciles[:-1]], dtype=np.float64)


class Scorer:
    def __init__(self, model: str, version: int, folder: Path, trained: TrainedModel,
                 card: dict[str, Any], descriptions: dict[str, str]) -> None:
        self.model, self.version, self.folder = model, version, folder
        self.trained, self.card = trained, card
        self.service_name: str = card["feature_service"]["name"]
        # None for versions trained before cards recorded it
        self.horizon_days: int | None = card["label"].get("horizon_days")
        self.join_key: str = card["feature_service"]["join_key"]
        self.feature_names = trained.encoder.names
        self.descriptions = descriptions
        self._floors = decile_floors(card)

    @classmethod
    def load(cls, model: str, store: FeatureStore, version: int | None = None,
             registry: Registry | None = None, online: bool = False) -> Scorer:
        """The given version, or the production one; `online` runs XGBoost single-threaded
        (one-entity requests)."""
        registry = registry or Registry()
        model = canonical_name(model)
        if version is None:
            version = registry.production(model)
            if version is None:
                raise NoProductionModelError(
                    f"{model} has no production version in {registry.model_dir(model)}; train "
                    f"one (`mfs train {model}`) or promote one (`mfs models promote`)")
        folder = registry.version_dir(model, version)
        trained = TrainedModel.load(folder)
        if online:
            trained.single_threaded()
        card = model_card.read(folder)
        service = store.get_feature_service(card["feature_service"]["name"])
        descriptions = {}
        for projection in service.feature_view_projections:
            fields = {f.name: f for f in store.get_feature_view(projection.name).features}
            for feature in projection.features:
                descriptions[feature.name] = fields[feature.name].description
        return cls(model, version, folder, trained, card, descriptions)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return self.trained.predict_encoded(features)

    def deciles(self, probabilities: np.ndarray) -> np.ndarray:
        """1 = the highest scores; see the module docstring."""
        below = probabilities[:, None] < self._floors[None, :]
        return (1 + below.sum(axis=1)).astype(np.int8)

    def explain(self, features: np.ndarray, top: int,
                raw: Sequence[Mapping[str, object]] | None = None,
                ) -> tuple[np.ndarray, list[list[Reason]]]:
        """Probabilities and each row's `top` reason codes (none if `top` is 0); a reason
        shows the feature's value from `raw` when given (as fetched: 7, not 7.0)."""
        if top <= 0:
            return self.probabilities(features), [[] for _ in range(len(features))]
        probabilities, contributions = self.trained.predict_explained(features)
        contributions = contributions[:, :-1]  # drop the bias column
        order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :top]
        names, encoder = self.feature_names, self.trained.encoder
        return probabilities, [
            [Reason(names[j], self.descriptions.get(names[j], ""),
                    raw[i].get(names[j]) if raw is not None
                    else encoder.decode(names[j], float(features[i, j])),
                    float(contributions[i, j]))
             for j in order[i] if contributions[i, j] != 0]
            for i in range(len(features))]
