"""A trained model as one object: the XGBoost booster and the encoder it was trained with.

Training, evaluation, the promotion gate and serving all score through `TrainedModel`, so a
frame of features becomes a probability in exactly one way. Saved as two files in a model
version's folder: `model.ubj` (XGBoost's binary JSON, byte-identical for the same data, config
and seed) and `encoder.json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb

from training.config import XGBoostConfig
from training.features import FeatureEncoder

MODEL_FILE, ENCODER_FILE = "model.ubj", "encoder.json"


def booster_params(config: XGBoostConfig) -> dict[str, object]:
    return {
        "objective": "binary:logistic",
        "eval_metric": "logloss",  # the last metric drives early stopping
        "tree_method": "hist",
        "max_depth": config.max_depth,
        "learning_rate": config.learning_rate,
        "min_child_weight": config.min_child_weight,
        "subsample": config.subsample,
        "colsample_bytree": config.colsample_bytree,
        "reg_lambda": config.reg_lambda,
        "max_bin": config.max_bin,
        "seed": config.seed,
    }


@dataclass
class TrainedModel:
    booster: xgb.Booster
    encoder: FeatureEncoder
    threads: int | None = None  # None: all cores; online scoring uses 1 (see `single_threaded`)

    def single_threaded(self) -> TrainedModel:
        """For one-entity requests: a thread team costs more than it saves, and its idle
        threads spin on the cores the server needs."""
        self.booster.set_param({"nthread": 1})
        self.threads = 1
        return self

    def matrix(self, features: np.ndarray, labels: np.ndarray | None = None) -> xgb.DMatrix:
        return xgb.DMatrix(features, label=labels, missing=np.nan,
                           feature_names=self.encoder.names,
                           feature_types=self.encoder.xgboost_types, enable_categorical=True,
                           nthread=self.threads)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """P(label) for each row of a feature frame (any extra columns are ignored)."""
        return self.predict_encoded(self.encoder.transform(frame))

    def predict_encoded(self, features: np.ndarray) -> np.ndarray:
        return self.booster.predict(self.matrix(features)).astype(np.float64)

    def predict_explained(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`predict_encoded` and `contributions` from one DMatrix (online scoring: building
        the matrix costs as much as either prediction on a row)."""
        matrix = self.matrix(features)  # named from the encoder: no need to re-validate names
        return (self.booster.predict(matrix, validate_features=False).astype(np.float64),
                self.booster.predict(matrix, pred_contribs=True, validate_features=False))

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Per-row SHAP values in log-odds (TreeSHAP, computed by XGBoost itself): one column
        per feature, then the bias; each row sums to the row's margin."""
        return self.booster.predict(self.matrix(features), pred_contribs=True)

    @classmethod
    def fit(cls, encoder: FeatureEncoder, config: XGBoostConfig,
            train: tuple[np.ndarray, np.ndarray],
            validation: tuple[np.ndarray, np.ndarray]) -> TrainedModel:
        """XGBoost `hist` with early stopping on the validation rows; keeps the best round."""
        empty = cls(xgb.Booster(), encoder)
        dtrain = empty.matrix(*train)
        dvalid = empty.matrix(*validation)
        booster = xgb.train(booster_params(config), dtrain,
                            num_boost_round=config.num_boost_round,
                            evals=[(dvalid, "validation")],
                            early_stopping_rounds=config.early_stopping_rounds,
                            verbose_eval=False)
        best = booster.best_iteration
        # Keep exactly the trees up to the best round, so every reader predicts alike.
        return cls(booster[: best + 1], encoder)

    def save(self, folder: Path) -> None:
        self.booster.save_model(folder / MODEL_FILE)
        self.encoder.save(folder / ENCODER_FILE)

    @classmethod
    def load(cls, folder: Path) -> TrainedModel:
        booster = xgb.Booster()
        booster.load_model(folder / MODEL_FILE)
        return cls(booster, FeatureEncoder.load(folder / ENCODER_FILE))
