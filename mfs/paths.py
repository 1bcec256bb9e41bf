"""Where every stage reads and writes: one place, overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Root of everything the pipeline writes (`MFS_DATA_DIR`, default `data/`)."""
    return Path(os.environ.get("MFS_DATA_DIR", REPO_ROOT / "data"))


def raw_dir() -> Path:
    """Raw input files (`MFS_RAW_DIR`, default `data/raw/`)."""
    return Path(os.environ.get("MFS_RAW_DIR", data_dir() / "raw"))


def truth_dir() -> Path:
    """Generator ground truth, read by evaluation only (`MFS_TRUTH_DIR`, default `data/truth/`)."""
    return Path(os.environ.get("MFS_TRUTH_DIR", data_dir() / "truth"))


def warehouse_path() -> Path:
    """The DuckDB warehouse dbt builds (`MFS_WAREHOUSE`, default `data/warehouse.duckdb`)."""
    return Path(os.environ.get("MFS_WAREHOUSE", data_dir() / "warehouse.duckdb"))


def features_dir() -> Path:
    """Parquet exports of the feature and label marts that Feast reads (`data/features/`)."""
    return Path(os.environ.get("MFS_FEATURES_DIR", data_dir() / "features"))


def mart_export(mart: str, features: Path | None = None) -> Path:
    """A mart's export: a directory of parquet files, one per snapshot, that DuckDB's
    `read_parquet` and pyarrow's `ParquetDataset` read whole (`data/features/<mart>`). It is a
    symlink to the current version (mfs/build/export.py): keep this name, never its target."""
    return (features or features_dir()) / mart


def dbt_target_dir() -> Path:
    """dbt's compiled artefacts and manifest (`data/dbt/target`)."""
    return Path(os.environ.get("DBT_TARGET_PATH", data_dir() / "dbt" / "target"))


def models_dir() -> Path:
    """The model registry: every trained version and the production alias (`data/models`)."""
    return Path(os.environ.get("MFS_MODELS_DIR", data_dir() / "models"))


def model_configs_dir() -> Path:
    """The models' training configs, one yaml each (`MFS_MODEL_CONFIG_DIR`, default the
    shipped `training/models/`): keep your own outside the package and point here."""
    return Path(os.environ.get("MFS_MODEL_CONFIG_DIR", REPO_ROOT / "training" / "models"))


def scores_dir() -> Path:
    """Batch scores as parquet, one file per model (`MFS_SCORES_DIR`, default `data/scores`)."""
    return Path(os.environ.get("MFS_SCORES_DIR", data_dir() / "scores"))


def privacy_dir() -> Path:
    """The erasure register `mfs forget` keeps and every build reads (`MFS_PRIVACY_DIR`,
    default `data/privacy`)."""
    return Path(os.environ.get("MFS_PRIVACY_DIR", data_dir() / "privacy"))
