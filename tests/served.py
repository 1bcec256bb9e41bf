"""A served world on the shared 1k-customer build: published features, both models trained and
made production, and batch scores written. Serving and audience tests share it (the fixture is
registered in tests/conftest.py, so it is built once a session)."""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from mfs.featurestore.publish import publish
from mfs.featurestore.store import open_store
from serving.batch import BatchScoreSummary, replace_in_warehouse, score_all
from tests.builds import Built, copy_build
from tests.featurestore.conftest import feast_environment
from training.registry import Registry
from training.train import train_model

MODELS = ("purchase_propensity", "lead_scoring")


@dataclass
class ServedWorld:
    env: dict[str, str]  # the MFS_* variables that point every stage at this world
    build: Built
    data: Path
    registry: Registry
    batch: dict[str, BatchScoreSummary]

    def environment(self, **extra: str) -> contextlib.AbstractContextManager[None]:
        """This world's variables set in this process for the block (Feast, registry, paths)."""
        return feast_environment(self.build.features, self.data, **{**self.env, **extra})

    def private_copy(self, root: Path) -> ServedWorld:
        """A copy to change freely: data (registry, online store, models, scores), the build's
        warehouse with the batch scores loaded (so audiences can export) and its feature
        exports, and exports, suppression and privacy folders of its own."""
        data = root / "data"
        shutil.copytree(self.data, data)
        built = copy_build(self.build, root / "build")
        shutil.copy(built.warehouse, data / "warehouse.duckdb")
        for model in MODELS:
            replace_in_warehouse(data / "warehouse.duckdb", model, Path(self.batch[model].parquet))
        env = {**world_env(built, data), "MFS_EXPORTS_DIR": str(data / "exports"),
               "MFS_SUPPRESSION_DIR": str(data / "suppression"),
               "MFS_PRIVACY_DIR": str(data / "privacy")}
        return ServedWorld(env, built, data, self.registry, self.batch)


def world_env(build: Built, data: Path) -> dict[str, str]:
    return {"MFS_FEATURES_DIR": str(build.features), "MFS_DATA_DIR": str(data),
            "MFS_TRUTH_DIR": str(build.raw.parent / "truth"),
            "MFS_MODELS_DIR": str(data / "models"),
            "MFS_WAREHOUSE": str(data / "warehouse.duckdb")}


@pytest.fixture(scope="session")
def served_world(clean_build: Built, tmp_path_factory: pytest.TempPathFactory
                 ) -> ServedWorld:
    """Both models trained on the clean build and made production whatever their gate said
    (1k customers are too few for XGBoost to beat the baselines reliably)."""
    data = tmp_path_factory.mktemp("served")
    env = world_env(clean_build, data)
    with feast_environment(clean_build.features, data, **env):
        publish()
        registry = Registry()
        store = open_store()
        for model in MODELS:
            result = train_model(model, store=store, registry=registry, promote=False)
            registry.set_production(model, result.version, "test: serve whatever was trained")
        batch = {model: score_all(model, store=store, registry=registry) for model in MODELS}
    # Returned outside the environment: a session fixture must not leak variables into others.
    return ServedWorld(env, clean_build, data, registry, batch)
