"""Re-running any stage twice is idempotent: the second run of generate, build, publish, train,
score, export and forget leaves the same results as the first (up to the columns that record
when a run happened). Publish and forget have their own tests of it
(tests/featurestore/test_publish.py, tests/privacy/test_forget.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from audiences.export import export_audience
from mfs.featurestore.store import open_store
from mfs.parquet import read_frame
from mfs.synthetic.generate import GenerateOptions, generate
from serving.batch import score_all
from tests.builds import Built, copy_build, run_build
from tests.conftest import END
from tests.served import MODELS, ServedWorld
from training.registry import Registry
from training.train import train_model

pytestmark = pytest.mark.slow
MARTS = ("customer_features", "lead_features", "purchase_labels", "lead_labels",
         "customer_profile", "stg_quality__rejected_rows")
RUN_TIME_COLUMNS = {"created_at", "scored_at", "feature_created_at"}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def _table(warehouse: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.execute(f"select * from {name}").df()
    frame = frame.drop(columns=[c for c in frame.columns if c in RUN_TIME_COLUMNS])
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_generating_twice_writes_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate(GenerateOptions(out=tmp_path / name / "raw", truth_out=tmp_path / name / "t",
                                 customers=300, seed=3, end=END, days=60))
    assert _digests(tmp_path / "a" / "raw") == _digests(tmp_path / "b" / "raw")


def test_building_twice_gives_the_same_marts(clean_build: Built, tmp_path: Path) -> None:
    """The second build runs the incremental models against their own output."""
    again = copy_build(clean_build, tmp_path / "again")
    rebuilt = run_build(again.root, clean_build.raw)
    assert rebuilt.summary.success, rebuilt.summary.failing
    for mart in MARTS:
        pd.testing.assert_frame_equal(_table(clean_build.warehouse, mart),
                                      _table(rebuilt.warehouse, mart), obj=mart)
    assert rebuilt.summary.rejected_rows == clean_build.summary.rejected_rows


@pytest.fixture(scope="module")
def world(served_world: ServedWorld, tmp_path_factory: pytest.TempPathFactory) -> ServedWorld:
    return served_world.private_copy(tmp_path_factory.mktemp("twice"))


def test_training_twice_gives_the_same_model(world: ServedWorld) -> None:
    with world.environment():
        store, registry = open_store(), Registry()
        first, second = (train_model("purchase_propensity", store=store, registry=registry,
                                     promote=False) for _ in range(2))
    assert second.version == first.version + 1  # a new version, recorded as such
    assert second.card["test"] == first.card["test"]
    assert (first.folder / "model.ubj").read_bytes() == (second.folder / "model.ubj").read_bytes()


def test_scoring_twice_gives_the_same_scores(world: ServedWorld) -> None:
    with world.environment():
        for model in MODELS:
            first, second = (score_all(model) for _ in range(2))
            frames = [read_frame(s.parquet).drop(columns="scored_at") for s in (first,
                                                                                     second)]
            pd.testing.assert_frame_equal(*frames)
            with duckdb.connect(first.warehouse, read_only=True) as con:
                rows = con.execute("select count(*) from scores where model = ?",
                                   [model]).fetchone()[0]
            assert rows == first.entities


def test_exporting_twice_selects_the_same_people(world: ServedWorld) -> None:
    with world.environment():
        first = export_audience("high_propensity_buyers")
        second = export_audience("high_propensity_buyers")
        delta = export_audience("high_propensity_buyers", mode="delta")
    for name in ("members.parquet", "control.parquet"):
        pd.testing.assert_frame_equal(read_frame(first.folder / name),
                                      read_frame(second.folder / name))
    diff = ("adds", "removes")  # against the previous export: everyone is new to the first
    assert {k: v for k, v in first.manifest["counts"].items() if k not in diff} == {
        k: v for k, v in second.manifest["counts"].items() if k not in diff}
    assert second.manifest["counts"]["adds"] == second.manifest["counts"]["removes"] == 0
    assert delta.manifest["counts"]["adds"] == delta.manifest["counts"]["removes"] == 0
