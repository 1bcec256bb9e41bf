"""Per-model configuration (training/models/<model>.yaml), validated strictly."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

MODELS_DIR = Path(__file__).resolve().parent / "models"


class LabelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mart: str  # a dbt label mart exported to the features directory
    column: str  # the boolean outcome
    complete_column: str  # false while the label window is still open
    as_of_column: str = "snapshot_at"  # the as-of time each label pairs with


class ModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    owner: str
    feature_service: str  # the versioned Feast feature service, e.g. purchase_propensity_v1
    label: LabelConfig


class ModelConfigError(ValueError):
    """A model config is missing or invalid (names the file and the field)."""


def model_names() -> list[str]:
    return sorted(p.stem for p in MODELS_DIR.glob("*.yaml"))


def load_model_config(name: str) -> ModelConfig:
    """`purchase_propensity` (or `purchase-propensity`) -> its training/models/ yaml."""
    path = MODELS_DIR / f"{name.replace('-', '_')}.yaml"
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
