"""The model's reference distribution: what its features and scores looked like on the test
window, saved beside the model (`reference.parquet`) for drift monitoring.

Raw feature values (not encoded: a new category must stay visible), the model's score and each
row's as-of time (calendar features are compared after ageing the reference to the current
as-of time, monitoring/drift.py), for at most `MAX_ROWS` test rows drawn with a fixed seed, so
the file stays small at any scale and the same training run always writes the same rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mfs.parquet import read_frame

REFERENCE_FILE = "reference.parquet"
SCORE = "__score__"  # never a feature name: dbt columns are lower-case identifiers
AS_OF = "__as_of__"
MAX_ROWS = 100_000


def write_reference(folder: Path, features: pd.DataFrame, scores: np.ndarray,
                    as_of: pd.Series, seed: int = 42) -> Path:
    frame = features.reset_index(drop=True).assign(
        **{SCORE: scores, AS_OF: pd.to_datetime(as_of, utc=True).reset_index(drop=True)})
    if len(frame) > MAX_ROWS:
        frame = frame.sample(MAX_ROWS, random_state=seed).sort_index()
    path = folder / REFERENCE_FILE
    frame.to_parquet(path, index=False)
    return path


def read_reference(folder: Path) -> pd.DataFrame:
    path = folder / REFERENCE_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: this model version has no reference distribution "
                                "(trained before drift monitoring existed); train a new version")
    return read_frame(path)
