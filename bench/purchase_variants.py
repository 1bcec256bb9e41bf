"""XGBoost settings and feature sets for the purchase model against BG/NBD, on one built and
published world (e.g. one that `python -m bench.horizons` left in its work folder): the same
split, the same test rows. An exploration of what closes the gap at long horizons, where the
shipped setting (depth 5, min_child_weight 5) extrapolates badly; it changes nothing shipped.

    MFS_DATA_DIR=bench/work/horizons/transactions-180d \\
        python -m bench.purchase_variants --horizon 180 --label transactions-180d

Writes bench/results/purchase-variants-<label>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from mfs.featurestore.store import open_store
from training import btyd
from training.baselines import BgNbdBaseline
from training.config import load_model_config
from training.datasets import AS_OF, feature_kinds, training_set
from training.features import FeatureEncoder
from training.metrics import evaluate
from training.model import TrainedModel
from training.split import time_split

RESULTS = Path(__file__).resolve().parent / "results"
CALENDAR = ("tenure_days", "days_since_last_order", "days_since_last_visit")


def bg_nbd_features(frame: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """P(alive) and P(a purchase within the horizon), BG/NBD fitted at each as-of time."""
    alive, purchase = np.empty(len(frame)), np.empty(len(frame))
    for rows in frame.groupby(AS_OF, sort=False).indices.values():
        part = frame.iloc[rows]
        x, t_x, big_t = btyd.history_inputs(*(part[c].to_numpy(dtype=np.float64)
                                              for c in BgNbdBaseline.INPUTS))
        fitted = btyd.fit(x, t_x, big_t)
        alive[rows] = fitted.probability_alive(x, t_x, big_t)
        purchase[rows] = fitted.purchase_probability(horizon, x, t_x, big_t)
    return frame.assign(bg_alive=alive, bg_purchase=purchase)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--label", required=True)
    args = parser.parse_args()
    config = load_model_config("purchase_propensity")
    store = open_store()
    kinds = feature_kinds(store, store.get_feature_service(config.feature_service))
    frame = bg_nbd_features(training_set(config, with_label_window=True, store=store),
                            args.horizon)
    y = frame[config.label.column].astype(bool).to_numpy()
    split = time_split(frame[AS_OF], frame[config.label.window_end_column], config.split)
    no_calendar = {k: v for k, v in kinds.items() if k not in CALENDAR}
    with_bg = {**no_calendar, "bg_alive": "numeric", "bg_purchase": "numeric"}
    shipped = config.xgboost
    variants = {
        "shipped (depth 5, mcw 5)": (kinds, shipped),
        "depth 3, mcw 50": (kinds, shipped.model_copy(update={"max_depth": 3,
                                                                "min_child_weight": 50})),
        "depth 2, mcw 200": (kinds, shipped.model_copy(update={"max_depth": 2,
                                                                 "min_child_weight": 200})),
        "depth 3, mcw 50, BG/NBD features, no calendar features": (
            with_bg, shipped.model_copy(update={"max_depth": 3, "min_child_weight": 50})),
    }
    test = split.test
    rows = {"bg_nbd": evaluate(y[test], BgNbdBaseline(args.horizon, AS_OF).predict(
        frame[test]))}
    for name, (features, settings) in variants.items():
        encoder = FeatureEncoder.fit(frame[split.train], features)
        matrix = encoder.transform(frame)
        trained = TrainedModel.fit(encoder, settings,
                                   (matrix[split.train], y[split.train].astype(np.float32)),
                                   (matrix[split.validation],
                                    y[split.validation].astype(np.float32)))
        rows[name] = evaluate(y[test], trained.predict_encoded(matrix[test]))
        print(name, round(rows[name].roc_auc, 4), flush=True)
    command = "python -m bench.purchase_variants " + shlex.join(sys.argv[1:])
    out = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "command": command,
           "horizon_days": args.horizon, "test_rows": int(test.sum()),
           "scorers": {n: {"roc_auc": e.roc_auc, "top_decile_lift": e.top_decile_lift}
                       for n, e in rows.items()}}
    stem = RESULTS / f"purchase-variants-{args.label}"
    stem.with_suffix(".json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [f"# Purchase model variants against BG/NBD: {args.label}", "",
             f"Command: `{command}` (with MFS_DATA_DIR on the built world)", "",
             f"{out['test_rows']:,} test rows, horizon {args.horizon} days.", "",
             "| scorer | ROC-AUC | lift@10% |", "|---|---|---|"]
    lines += [f"| {n} | {s['roc_auc']:.4f} | {s['top_decile_lift']:.2f} |"
              for n, s in out["scorers"].items()]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
