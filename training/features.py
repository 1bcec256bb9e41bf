"""Turn feature frames into the model's numeric matrix, identically in training and serving.

The encoder is fitted once, on the training rows, and saved beside the model (`encoder.json`);
batch and online scoring load it and call the same `transform`. What it does:

- numbers pass through as float32; a missing value (null, NaN) stays NaN, which XGBoost routes
  down each split's learned default branch, in training and serving alike;
- booleans become 0/1 (missing stays NaN);
- strings become the index of their category in the vocabulary seen in training (sorted, so the
  same data always gives the same codes) and are declared categorical to XGBoost; a category
  never seen in training is treated as missing, never as some other category's code.

Which features are strings, booleans or numbers comes from the feature service's Feast types,
which come from the dbt YAML: the model never carries its own feature list.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["numeric", "boolean", "categorical"]
_NUMERIC_TYPES = {"INT32", "INT64", "FLOAT", "DOUBLE"}


class FeatureFrameError(ValueError):
    """A frame handed to the encoder does not carry what the model needs (names the columns)."""


def kind_of(value_type: str) -> Kind:
    """Feast value type name (`STRING`, `INT64`, `BOOL`, ...) -> how the model encodes it."""
    upper = value_type.upper()
    if upper == "STRING":
        return "categorical"
    if upper == "BOOL":
        return "boolean"
    if upper in _NUMERIC_TYPES:
        return "numeric"
    raise FeatureFrameError(f"feature type {value_type} has no model encoding (expected one of "
                            "STRING, BOOL, INT32, INT64, FLOAT, DOUBLE)")


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    kind: Kind
    categories: tuple[str, ...] = ()  # categorical only: the training vocabulary, sorted


@dataclass(frozen=True)
class FeatureEncoder:
    features: tuple[FeatureSpec, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def xgboost_types(self) -> list[str]:
        """XGBoost's feature_types: `c` for categorical codes, `q` for everything else."""
        return ["c" if f.kind == "categorical" else "q" for f in self.features]

    @classmethod
    def fit(cls, frame: pd.DataFrame, kinds: dict[str, Kind]) -> FeatureEncoder:
        """Learn the vocabularies of the categorical features from the training rows."""
        _require_columns(frame, list(kinds))
        specs = []
        for name, kind in kinds.items():
            categories: tuple[str, ...] = ()
            if kind == "categorical":
                categories = tuple(sorted(str(v) for v in frame[name].dropna().unique()))
            specs.append(FeatureSpec(name, kind, categories))
        return cls(tuple(specs))

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows x features float32 matrix, columns in the encoder's order."""
        _require_columns(frame, self.names)
        out = np.empty((len(frame), len(self.features)), dtype=np.float32)
        for j, spec in enumerate(self.features):
            out[:, j] = self._column(spec, frame[spec.name])
        return out

    @functools.cached_property
    def _category_codes(self) -> tuple[dict[str, int] | None, ...]:
        return tuple({c: i for i, c in enumerate(f.categories)} if f.kind == "categorical"
                     else None for f in self.features)

    def transform_records(self, rows: Sequence[Mapping[str, object]]) -> np.ndarray:
        """`transform` for a few rows given as {feature: value} dicts (online scoring).

        Skips pandas, whose per-column overhead would dominate a one-entity request; gives the
        same float32 matrix as `transform` on a frame of the same values (a test holds it to
        that). A feature absent from a row counts as missing.
        """
        out = np.full((len(rows), len(self.features)), np.nan, dtype=np.float64)
        for i, row in enumerate(rows):
            for j, (spec, codes) in enumerate(zip(self.features, self._category_codes,
                                                  strict=True)):
                value = row.get(spec.name)
                if value is None:
                    continue
                if codes is not None:
                    code = codes.get(value) if isinstance(value, str) else None
                    if code is not None:
                        out[i, j] = code
                elif spec.kind == "boolean":
                    if not isinstance(value, bool | np.bool_):
                        raise FeatureFrameError(f"feature {spec.name}: {value!r} is not a "
                                                "boolean")
                    out[i, j] = 1.0 if value else 0.0
                else:
                    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                        raise FeatureFrameError(f"feature {spec.name}: {value!r} is not a "
                                                "number")
                    number = float(value)
                    if not math.isnan(number):
                        out[i, j] = number
        # int -> float64 -> float32 rounds like pandas' int -> float32 for |v| < 2**53.
        return out.astype(np.float32)

    def _column(self, spec: FeatureSpec, values: pd.Series) -> np.ndarray:
        if spec.kind == "categorical":
            codes = pd.Categorical(values.astype("object"), categories=list(spec.categories)).codes
            return np.where(codes < 0, np.nan, codes).astype(np.float32)
        if spec.kind == "boolean":
            encoded = values.map({True: 1.0, False: 0.0})  # 1 and 0 hash like True and False
        else:
            encoded = pd.to_numeric(values, errors="coerce")
        bad = encoded.isna() & values.notna()
        if bad.any():
            raise FeatureFrameError(f"feature {spec.name}: {int(bad.sum())} values are not "
                                    f"{'booleans' if spec.kind == 'boolean' else 'numbers'} "
                                    f"(e.g. {values[bad].iloc[0]!r})")
        return pd.to_numeric(encoded).to_numpy(dtype=np.float32, na_value=np.nan)

    def decode(self, name: str, value: float) -> object:
        """An encoded value back in the feature's own terms (for reason codes and plots)."""
        spec = next(f for f in self.features if f.name == name)
        if np.isnan(value):
            return None
        if spec.kind == "categorical":
            return spec.categories[int(value)]
        if spec.kind == "boolean":
            return bool(value)
        return float(value)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"features": [asdict(f) for f in self.features]}, indent=1))

    @classmethod
    def load(cls, path: Path) -> FeatureEncoder:
        raw = json.loads(path.read_text())
        return cls(tuple(FeatureSpec(f["name"], f["kind"], tuple(f["categories"]))
                         for f in raw["features"]))


def _require_columns(frame: pd.DataFrame, names: list[str]) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise FeatureFrameError(f"feature frame lacks the model's features {missing}; it has "
                                f"{list(frame.columns)}")
