"""`mfs score`: every current entity scored into parquet and the warehouse, replaced whole or
not at all."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import serving.batch as batch_module
from mfs.parquet import read_frame
from tests.served import ServedWorld
from tests.serving.conftest import MFS

pytestmark = pytest.mark.slow


def warehouse_scores(world: ServedWorld, model: str) -> pd.DataFrame:
    with duckdb.connect(world.env["MFS_WAREHOUSE"], read_only=True) as con:
        return con.execute("select * from scores where model = ? order by entity_id",
                           [model]).df()


def test_mfs_score_writes_parquet_and_the_warehouse_table(served_world: ServedWorld) -> None:
    before_leads = warehouse_scores(served_world, "lead_scoring")
    result = subprocess.run([MFS, "score", "purchase-propensity", "--json"],
                            env={**os.environ, **served_world.env}, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    parquet = read_frame(summary["parquet"])
    table = warehouse_scores(served_world, "purchase_propensity")
    assert summary["entities"] == len(parquet) == len(table) == parquet["entity_id"].nunique()
    assert list(parquet.columns) == ["model", "entity_id", "score", "decile", "model_version",
                                     "features_as_of", "scored_at", "horizon_days"]
    assert set(parquet["horizon_days"]) == {30}
    assert parquet["score"].between(0, 1).all()
    assert set(parquet["decile"]) <= set(range(1, 11))
    assert (parquet["model_version"] == summary["version"]).all()
    # A re-run replaces the model's rows (same scores), and leaves other models' rows alone.
    previous = served_world.batch["purchase_propensity"]
    assert summary["entities"] == previous.entities
    pd.testing.assert_series_equal(table["score"], read_frame(previous.parquet)
                                   .sort_values("entity_id")["score"].reset_index(drop=True))
    pd.testing.assert_frame_equal(warehouse_scores(served_world, "lead_scoring"), before_leads)


def test_a_failed_run_leaves_the_previous_scores(served_world: ServedWorld,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    model = "purchase_propensity"
    parquet = Path(served_world.batch[model].parquet)
    before_bytes = parquet.read_bytes()
    before_table = warehouse_scores(served_world, model)
    calls = {"n": 0}
    real = batch_module.features_for

    def failing_on_the_third_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_module, "features_for", failing_on_the_third_chunk)
    with served_world.environment(), pytest.raises(OSError, match="disk went away"):
        batch_module.score_all(model, registry=served_world.registry, chunk_rows=200)
    assert parquet.read_bytes() == before_bytes
    pd.testing.assert_frame_equal(warehouse_scores(served_world, model), before_table)
    assert [p.name for p in parquet.parent.iterdir() if p.name.startswith(".")] == []


def test_without_a_production_model_mfs_score_says_what_to_do(served_world: ServedWorld,
                                                             tmp_path: Path) -> None:
    env = {**os.environ, **served_world.env, "MFS_MODELS_DIR": str(tmp_path / "empty")}
    result = subprocess.run([MFS, "score", "lead-scoring"], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    assert "lead_scoring has no production version" in result.stderr
    assert "mfs train lead_scoring" in result.stderr
