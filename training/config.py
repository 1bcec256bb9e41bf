"""Per-model configuration (training/models/<model>.yaml, or `MFS_MODEL_CONFIG_DIR`), validated
strictly.

Everything a training run needs to know about a model lives in its yaml: what it predicts and
for whom (the passport's text), the label, the feature service, how time is split, the
XGBoost parameters, the rule baseline it must beat, the segments its card breaks metrics down
by, and the promotion gate's tolerance. Code never carries a model's feature list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mfs import paths


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelConfig(_Strict):
    mart: str  # a dbt label mart exported to the features directory
    column: str  # the boolean outcome
    complete_column: str  # false while the label window is still open
    as_of_column: str = "snapshot_at"  # the as-of time each label pairs with
    window_end_column: str = "label_window_ends_at"  # when the outcome is known


class SplitConfig(_Strict):
    """Train on the earliest as-of times, early-stop on the next, report on the last.

    The test window is the last `test_days` of as-of times whose labels are complete. Rows
    whose label window ends after the test window starts are dropped from training and
    validation (a purge as long as the label horizon), so nothing fitted or selected has seen
    an outcome from the test period. Validation is the last `validation_days` of what remains.
    """

    test_days: int = Field(gt=0)
    validation_days: int = Field(gt=0)
    history_days: int | None = Field(default=None, gt=0)  # how far back training reaches


class XGBoostConfig(_Strict):
    max_depth: int = Field(default=6, ge=1, le=16)
    learning_rate: float = Field(default=0.05, gt=0, le=1)
    num_boost_round: int = Field(default=1000, ge=1)
    early_stopping_rounds: int = Field(default=50, ge=1)
    min_child_weight: float = Field(default=1.0, ge=0)
    subsample: float = Field(default=0.8, gt=0, le=1)
    colsample_bytree: float = Field(default=0.8, gt=0, le=1)
    reg_lambda: float = Field(default=1.0, ge=0)
    max_bin: int = Field(default=256, ge=2)
    seed: int = 42


class OracleConfig(_Strict):
    """The generator's true probabilities (generated data only; evaluation reads them, never
    training)."""

    file: str  # in the truth directory (MFS_TRUTH_DIR)
    key: str  # the entity column in that file
    probability: str
    horizon_days: int = Field(gt=0)  # the window the probability is for: other labels skip it


class GateConfig(_Strict):
    """Promote only if the candidate beats every baseline on `metric` and is not worse than
    the production model on the same test rows by more than `max_drop_vs_production`."""

    metric: Literal["roc_auc", "pr_auc"] = "roc_auc"
    max_drop_vs_production: float = Field(default=0.005, ge=0)


class ModelConfig(_Strict):
    name: str
    description: str
    decision: str  # the business decision the score supports
    intended_use: str
    owner: str
    feature_service: str  # the versioned Feast feature service, e.g. purchase_propensity_v1
    label: LabelConfig
    split: SplitConfig
    xgboost: XGBoostConfig = XGBoostConfig()
    rule_baseline: Literal["rfm", "lead_points"]
    # BG/NBD ("buy till you die") as a baseline too: purchase models, whose features carry
    # orders_lifetime, tenure_days and days_since_last_order (training/btyd.py).
    btyd_baseline: bool = False
    segments: list[str] = []  # feature columns the card breaks metrics down by
    # Memory bound: above this many complete labels, a fixed share of entities (by a hash of the
    # key, all their as-of times) is trained on. ~1.7 KiB a row at peak for purchase propensity.
    max_label_rows: int | None = Field(default=None, gt=0)
    oracle: OracleConfig | None = None
    gate: GateConfig = GateConfig()
    limitations: list[str] = []


class ModelConfigError(ValueError):
    """A model config is missing or invalid (names the file and the field)."""


def model_names() -> list[str]:
    return sorted(p.stem for p in paths.model_configs_dir().glob("*.yaml"))


def canonical_name(name: str) -> str:
    """`purchase-propensity` (CLI spelling) -> `purchase_propensity`."""
    return name.replace("-", "_")


def as_config(model: str | ModelConfig) -> ModelConfig:
    """A config as given (e.g. one a test or experiment changed), or a model's yaml by name."""
    return model if isinstance(model, ModelConfig) else load_model_config(model)


def load_model_config(name: str) -> ModelConfig:
    """`purchase_propensity` (or `purchase-propensity`) -> its yaml in the configs folder
    (`mfs.paths.model_configs_dir()`); a path to a .yaml file is read as it is."""
    path = Path(name)
    if path.suffix not in (".yaml", ".yml"):
        path = paths.model_configs_dir() / f"{canonical_name(name)}.yaml"
    if not path.exists():
        raise ModelConfigError(f"unknown model {name!r}: no {path}; known: "
                               f"{', '.join(model_names())}")
    try:
        config = ModelConfig(**yaml.safe_load(path.read_text()))
    except ValidationError as exc:
        raise ModelConfigError(f"{path}: {exc}") from exc
    if config.name != path.stem:
        raise ModelConfigError(f"{path}: name {config.name!r} must match the file name")
    return config
