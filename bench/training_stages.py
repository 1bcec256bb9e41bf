"""Benchmark stages for model fitting: XGBoost as `mfs train` fits it, and its baseline.

  fit --learner xgboost|logistic --frame F   fit on the training-set frame F (written by the
                                             training_set stage: ~1M labelled rows of the
                                             purchase_propensity service), early-stopping on its
                                             latest as-of times (10% of rows)

Prints one JSON line: `seconds` (the fit alone: encoding and training, no reading), rows,
features and, for XGBoost, the trees kept. The logistic regression is the baseline every model
card compares with, fitted the same way (training.baselines).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mfs.featurestore.store import open_store
from mfs.parquet import read_frame
from training.baselines import logistic_baseline, logistic_frame
from training.config import load_model_config
from training.datasets import AS_OF, feature_kinds
from training.features import FeatureEncoder
from training.model import TrainedModel


def _validation_mask(as_of: pd.Series, share: float = 0.1) -> np.ndarray:
    """The latest as-of times holding about `share` of the rows."""
    counts = as_of.value_counts().sort_index(ascending=False).cumsum()
    first = counts.index[int(np.searchsorted(counts.to_numpy(), share * len(as_of)))]
    return (as_of >= first).to_numpy()


def fit(learner: str, frame_path: Path, model: str) -> dict[str, object]:
    config = load_model_config(model)
    store = open_store()
    service = store.get_feature_service(config.feature_service)
    kinds = feature_kinds(store, service)
    frame = read_frame(frame_path)
    labels = frame[config.label.column].astype(bool).to_numpy()
    validation = _validation_mask(frame[AS_OF])
    train = ~validation
    started = time.perf_counter()
    encoder = FeatureEncoder.fit(frame[train], kinds)
    result: dict[str, object] = {"rows": int(train.sum()), "features": len(kinds),
                                 "validation_rows": int(validation.sum())}
    if learner == "xgboost":
        features = encoder.transform(frame)
        trained = TrainedModel.fit(encoder, config.xgboost, (features[train], labels[train]),
                                   (features[validation], labels[validation]))
        result["trees"] = trained.booster.num_boosted_rounds()
    else:
        pipeline = logistic_baseline(encoder, config.xgboost.seed)
        pipeline.fit(logistic_frame(frame[train], encoder), labels[train])
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=["fit"])
    parser.add_argument("--learner", choices=["xgboost", "logistic"], default="xgboost")
    parser.add_argument("--frame", type=Path, required=True)
    parser.add_argument("--model", default="purchase_propensity")
    args = parser.parse_args()
    print(json.dumps(fit(args.learner, args.frame, args.model)))


if __name__ == "__main__":
    main()
