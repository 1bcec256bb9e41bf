"""What the model card reports besides the metrics themselves: the oracle, SHAP importance and
the data fingerprint. I/O here is read-only (the generator's truth files)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from mfs import paths
from training.config import ModelConfig
from training.datasets import AS_OF
from training.metrics import Evaluation
from training.model import TrainedModel

SHAP_SAMPLE_ROWS = 2000  # TreeSHAP costs ~2 ms a row here; the ranking is stable at 2k


def oracle_scores(config: ModelConfig, frame: pd.DataFrame, join_key: str,
                  horizon_days: int) -> tuple[np.ndarray, str] | None:
    """The generator's true probabilities for these rows, or None on data without a truth file
    or for labels of another horizon than the truth's.

    Read for evaluation only: nothing trained or selected ever sees them."""
    if config.oracle is None or config.oracle.horizon_days != horizon_days:
        return None
    path = paths.truth_dir() / config.oracle.file
    if not path.exists():
        return None
    rows = frame[[join_key, AS_OF]].reset_index(drop=True)
    rows["_row"] = np.arange(len(rows))
    with duckdb.connect() as con:
        con.register("test_rows", rows)
        found = con.execute(
            f"select r._row, t.{config.oracle.probability} from test_rows r "
            f"join read_parquet('{path}') t on t.{config.oracle.key} = r.{join_key} "
            f"and t.snapshot_at = r.{AS_OF}").fetchnumpy()
    if len(found["_row"]) != len(rows):
        raise ValueError(f"{path}: the truth covers {len(found['_row'])} of {len(rows)} test "
                         "rows; was it generated with the raw data the marts were built from?")
    out = np.empty(len(rows))
    out[found["_row"]] = found[config.oracle.probability]
    return out, str(path)


def shap_importance(model: TrainedModel, features: np.ndarray
                    ) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    """Mean |SHAP| per feature on an evenly spaced sample of rows (deterministic), most
    important first; also the sample and its SHAP values for the summary plot."""
    step = max(1, len(features) // SHAP_SAMPLE_ROWS)
    sample = features[::step][:SHAP_SAMPLE_ROWS]
    contributions = model.contributions(sample)[:, :-1]  # drop the bias column
    mean_abs = np.abs(contributions).mean(axis=0)
    order = np.argsort(-mean_abs, kind="stable")
    ranked = [{"feature": model.encoder.names[j], "mean_abs_shap": float(mean_abs[j]),
               "kind": model.encoder.features[j].kind} for j in order]
    return ranked, sample, contributions


def fingerprint(frame: pd.DataFrame, parts: dict[str, np.ndarray], label: str
                ) -> dict[str, Any]:
    """Row and positive counts per part, and a SHA-256 of the training set's content (every
    column, row order included): two runs on the same data print the same hash."""
    row_hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(row_hashes.tobytes()).hexdigest()
    counts = {part: {"rows": int(mask.sum()), "positives": int(frame[label][mask].sum())}
              for part, mask in parts.items()}
    return {"sha256": digest, "rows": len(frame), "columns": list(frame.columns),
            "parts": counts}


def evaluation_dict(evaluation: Evaluation) -> dict[str, Any]:
    return asdict(evaluation)
