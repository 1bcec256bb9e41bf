"""`mfs monitor drift` end to end: no alert on the generated data as it is, an alert once a
shift is injected into the features Feast serves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pytest

from mfs import paths
from mfs.featurestore.publish import publish
from mfs.parquet import read_frame
from tests.featurestore.conftest import feast_environment
from tests.served import ServedWorld
from tests.serving.conftest import MFS

pytestmark = pytest.mark.slow


def run_drift(env: dict[str, str], model: str = "purchase-propensity"
              ) -> subprocess.CompletedProcess:
    return subprocess.run([MFS, "monitor", "drift", model, "--json"],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=600)


def test_no_drift_alert_on_the_data_the_model_was_trained_on(served_world: ServedWorld,
                                                             tmp_path: Path) -> None:
    env = {**served_world.env, "MFS_MONITORING_DIR": str(tmp_path)}
    result = run_drift(env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["drifted"] is False
    assert report["alerts"] == []
    assert {f["feature"] for f in report["features"]} >= {"orders_30d", "country_code"}
    html = Path(report["files"]["html"]).read_text()
    assert "No drift alert" in html
    assert html.count("data:image/png;base64,") >= 2


@pytest.fixture(scope="module")
def shifted(served_world: ServedWorld, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, str]:
    """The newest snapshot of the customer features altered (sessions tripled, a country no
    one had before) and published to a store of its own; a private copy of the models."""
    root = tmp_path_factory.mktemp("shifted")
    features = root / "features"
    shutil.copytree(served_world.build.features, features)
    mart = paths.mart_export("customer_features", features)
    with duckdb.connect() as con:
        con.execute(f"""
            copy (
                select * replace (
                    case when snapshot_at = (select max(snapshot_at) from read_parquet('{mart}'))
                         then sessions_30d * 3 else sessions_30d end as sessions_30d,
                    case when snapshot_at = (select max(snapshot_at) from read_parquet('{mart}'))
                          and country_code = 'US' then 'ZZ' else country_code end
                        as country_code)
                from read_parquet('{mart}')
            ) to '{root / "shifted.parquet"}' (format parquet)""")
    shutil.rmtree(mart)  # the copy holds the files themselves, not the versioned link
    mart.mkdir()
    shutil.move(root / "shifted.parquet", mart / "shifted.parquet")
    data = root / "data"
    shutil.copytree(served_world.registry.root, root / "models")
    env = {**served_world.env, "MFS_FEATURES_DIR": str(features), "MFS_DATA_DIR": str(data),
           "MFS_MONITORING_DIR": str(root / "monitoring"), "MFS_MODELS_DIR": str(root / "models")}
    with feast_environment(features, data, **env):
        publish()
    return env


def test_an_injected_shift_is_detected(shifted: dict[str, str]) -> None:
    result = run_drift(shifted)
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["drifted"] is True
    assert {"sessions_30d", "country_code"} <= set(report["alerts"])
    country = next(f for f in report["features"] if f["feature"] == "country_code")
    assert country["new_categories"] == ["ZZ"]


def history(models_dir: str, model: str) -> list[dict]:
    return json.loads((Path(models_dir) / model / "registry.json").read_text())["history"]


def test_without_drift_retrain_does_nothing_and_says_so(served_world: ServedWorld,
                                                        tmp_path: Path) -> None:
    shutil.copytree(served_world.registry.root, tmp_path / "models")
    env = {**served_world.env, "MFS_MODELS_DIR": str(tmp_path / "models"),
           "MFS_MONITORING_DIR": str(tmp_path / "monitoring")}
    result = subprocess.run([MFS, "retrain", "purchase-propensity", "--json"],
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout)["retrained"] is False
    last = history(env["MFS_MODELS_DIR"], "purchase_propensity")[-1]
    assert last["action"] == "retrain-skipped"
    assert "no drift alert" in last["reason"]


def test_drift_triggers_a_retrain_and_the_gate_decides(shifted: dict[str, str]) -> None:
    before = len(json.loads((Path(shifted["MFS_MODELS_DIR"]) / "purchase_propensity"
                             / "registry.json").read_text())["versions"])
    result = subprocess.run([MFS, "retrain", "purchase-propensity", "--json"],
                            env={**os.environ, **shifted}, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    decision = json.loads(result.stdout)
    assert decision["retrained"] is True
    assert "sessions_30d" in decision["trigger"]
    assert decision["version"] == before + 1
    actions = [h["action"] for h in history(shifted["MFS_MODELS_DIR"], "purchase_propensity")]
    assert actions[-2] == "retrain"
    assert actions[-1] in ("promote", "gate-refused")


def test_realised_performance_matches_the_card_and_a_broken_model_alerts(
    served_world: ServedWorld, tmp_path: Path
) -> None:
    """Backfill the scorings of the test window's snapshots: their realised figures are the
    card's own test rows, so no alert; then scores that ignore the data (shuffled) alert."""
    env = {**served_world.env, "MFS_SCORES_DIR": str(tmp_path / "scores"),
           "MFS_MONITORING_DIR": str(tmp_path / "monitoring")}
    card = json.loads((served_world.registry.version_dir("purchase_propensity", 1)
                       / "card.json").read_text())
    first, last = card["split"]["test"]["first_as_of"], card["split"]["test"]["last_as_of"]
    with duckdb.connect() as con:
        snapshots = [r[0] for r in con.execute(
            "select distinct snapshot_at from read_parquet(?) where snapshot_at between ? and ? "
            "order by 1", [str(paths.mart_export("purchase_labels", served_world.build.features)),
                           first, last]).fetchall()]
    assert len(snapshots) >= 2
    for as_of in snapshots:
        backfill = subprocess.run(
            [MFS, "score", "purchase-propensity", "--as-of", f"{as_of:%Y-%m-%d}"],
            env={**os.environ, **env}, capture_output=True, text=True, timeout=600)
        assert backfill.returncode == 0, backfill.stderr[-2000:]
    result = subprocess.run([MFS, "monitor", "performance", "purchase-propensity", "--json"],
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    periods = report["periods"]
    assert len(periods) == len(snapshots)
    assert all(p["status"] == "ok" and p["pending"] == 0 for p in periods)
    pooled = sum(p["labelled"] for p in periods)
    assert pooled == card["test"]["model"]["rows"]

    history = sorted((tmp_path / "scores" / "history" / "purchase_propensity").glob("*.parquet"))
    for path in history:  # a model that has stopped ranking anyone
        frame = read_frame(path)
        frame["score"] = np.random.default_rng(0).permutation(frame["score"].to_numpy())
        frame.to_parquet(path, index=False)
    degraded = subprocess.run([MFS, "monitor", "performance", "purchase-propensity", "--json"],
                              env={**os.environ, **env}, capture_output=True, text=True,
                              timeout=600)
    assert degraded.returncode == 3
    assert json.loads(degraded.stdout)["degraded"] is True
