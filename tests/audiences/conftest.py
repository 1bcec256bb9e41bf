"""An audience world: the clean build's warehouse (customer_profile) with the served world's
batch scores loaded into its `scores` table, and an exports folder of its own per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from serving.batch import replace_in_warehouse
from tests.served import MODELS, ServedWorld


@pytest.fixture(scope="session")
def audience_warehouse(served_world: ServedWorld, tmp_path_factory: pytest.TempPathFactory
                       ) -> Path:
    warehouse = tmp_path_factory.mktemp("audiences") / "warehouse.duckdb"
    shutil.copy(served_world.build.warehouse, warehouse)
    for model in MODELS:
        replace_in_warehouse(warehouse, model, Path(served_world.batch[model].parquet))
    return warehouse


@pytest.fixture
def exports(audience_warehouse: Path, served_world: ServedWorld, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    """MFS_* pointing at the audience warehouse and an empty exports folder."""
    monkeypatch.setenv("MFS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MFS_WAREHOUSE", str(audience_warehouse))
    monkeypatch.setenv("MFS_FEATURES_DIR", str(served_world.build.features))  # a green build
    monkeypatch.setenv("MFS_EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("MFS_SUPPRESSION_DIR", str(tmp_path / "suppression"))
    return tmp_path / "exports"
