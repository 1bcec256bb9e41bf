"""The training job end to end on the shared 1k-customer build: reproducible bytes, a complete
model card, a split that never leaks, a gate that refuses a worse model, and rollback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import training.train as train_job
from mfs.featurestore.publish import apply_repo
from mfs.featurestore.store import open_store
from tests.builds import Built
from tests.featurestore.conftest import feast_environment
from training.config import ModelConfigError, load_model_config
from training.datasets import AS_OF, entity_share_for, training_set
from training.registry import Registry
from training.train import TrainResult, train_model

pytestmark = pytest.mark.slow
MFS = str(Path(sys.executable).with_name("mfs"))


@pytest.fixture(scope="module")
def environment(clean_build: Built, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[dict[str, str]]:
    """Feast's registry applied over the clean build; truth beside the raw data."""
    data = tmp_path_factory.mktemp("feast")
    env = {"MFS_FEATURES_DIR": str(clean_build.features), "MFS_DATA_DIR": str(data),
           "MFS_TRUTH_DIR": str(clean_build.raw.parent / "truth")}
    with feast_environment(clean_build.features, data, MFS_TRUTH_DIR=env["MFS_TRUTH_DIR"]):
        apply_repo(open_store())
        yield env


@pytest.fixture(scope="module")
def two_runs(environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[TrainResult, TrainResult]:
    registry = Registry(tmp_path_factory.mktemp("models"))
    store = open_store()
    first = train_model("purchase_propensity", store=store, registry=registry, promote=False)
    second = train_model("purchase_propensity", store=store, registry=registry, promote=False)
    return first, second


def test_the_same_data_and_config_give_a_byte_identical_model(two_runs) -> None:
    first, second = two_runs
    assert (first.version, second.version) == (1, 2)
    assert (first.folder / "model.ubj").read_bytes() == (second.folder / "model.ubj").read_bytes()
    assert (first.folder / "encoder.json").read_bytes() == (
        second.folder / "encoder.json").read_bytes()
    assert first.card["data"]["sha256"] == second.card["data"]["sha256"]


def test_the_card_reports_every_metric_against_baselines_and_oracle(two_runs) -> None:
    result = two_runs[0]
    card = json.loads((result.folder / "card.json").read_text())
    assert set(card["test"]) == {"model", "rule_rfm", "logistic_regression", "bg_nbd", "oracle"}
    assert card["label"]["horizon_days"] == 30
    versus = card["versus_baselines"]
    assert set(versus) == {"rule_rfm", "logistic_regression", "bg_nbd"}
    for margins in versus.values():
        for m in ("roc_auc", "top_decile_lift"):
            assert margins[m]["low"] <= margins[m]["difference"] <= margins[m]["high"]
    assert all("95% CI" in r for r in card["gate"]["reasons"] if "baseline" in r)
    for metrics in card["test"].values():
        assert 0.5 < metrics["roc_auc"] <= 1
        assert len(metrics["deciles"]) == 10
        assert metrics["calibration"]
    assert card["test"]["model"]["rows"] == card["split"]["test"]["rows"]
    assert set(card["segments"]) == {"country_code", "last_touch_channel", "is_b2b"}
    assert card["shap"][0]["mean_abs_shap"] >= card["shap"][-1]["mean_abs_shap"]
    assert card["feature_service"]["name"] == "purchase_propensity_v1"
    markdown = (result.folder / "card.md").read_text()
    for heading in ("What it is for", "Data", "Parameters", "Test-window metrics",
                    "Deciles", "Targeting the top k%", "Calibration", "Metrics by segment",
                    "Top features", "Promotion gate", "Known limitations"):
        assert f"## {heading}" in markdown, heading
    html = (result.folder / "card.html").read_text()
    assert html.count("data:image/png;base64,") == 5
    assert sorted(p.name for p in (result.folder / "plots").iterdir()) == [
        "calibration.png", "gains_lift.png", "precision_recall.png", "roc.png",
        "shap_summary.png"]


def test_training_never_sees_the_test_window(environment, monkeypatch, tmp_path: Path) -> None:
    """What the fitted parts actually received, checked against the test window."""
    seen: dict[str, pd.DataFrame] = {}
    real_fit = train_job.FeatureEncoder.fit.__func__
    real_split = train_job.time_split

    def spy_fit(cls, frame, kinds):
        seen["fitted_on"] = frame
        return real_fit(cls, frame, kinds)

    def spy_split(as_of, known, config):
        split = real_split(as_of, known, config)
        seen["validation"] = pd.DataFrame({"as_of": as_of[split.validation],
                                           "known": known[split.validation]})
        seen["test"] = pd.DataFrame({"as_of": as_of[split.test]})
        return split

    monkeypatch.setattr(train_job.FeatureEncoder, "fit", classmethod(spy_fit))
    monkeypatch.setattr(train_job, "time_split", spy_split)
    config = load_model_config("purchase_propensity")
    result = train_model(config, registry=Registry(tmp_path), promote=False)
    first_test = seen["test"]["as_of"].min()
    fitted = seen["fitted_on"]
    assert fitted[AS_OF].max() < seen["validation"]["as_of"].min()
    assert fitted[config.label.window_end_column].max() <= first_test
    assert seen["validation"]["known"].max() <= first_test
    used = set(fitted[AS_OF]) | set(seen["validation"]["as_of"])
    assert not set(seen["test"]["as_of"]) & used
    assert len(fitted) == result.card["split"]["train"]["rows"]


def test_the_gate_refuses_a_deliberately_worse_model_and_keeps_production(
    environment, tmp_path: Path
) -> None:
    registry = Registry(tmp_path)
    good = train_model("purchase_propensity", registry=registry, promote=False)
    registry.set_production("purchase_propensity", good.version, "test: the incumbent")
    config = load_model_config("purchase_propensity")
    crippled = config.xgboost.model_copy(update={"num_boost_round": 1, "max_depth": 1,
                                                 "learning_rate": 0.01})
    worse = train_model(config.model_copy(update={"xgboost": crippled}), registry=registry)
    assert not worse.promoted
    assert not worse.gate.promote
    assert any(r.startswith(f"beyond tolerance of production v{good.version}")
               for r in worse.gate.reasons)
    assert registry.production("purchase_propensity") == good.version
    last = registry.history("purchase_propensity")[-1]
    assert (last["action"], last["version"]) == ("gate-refused", worse.version)


def test_a_segment_that_is_not_a_feature_is_a_config_error(environment, tmp_path: Path) -> None:
    config = load_model_config("lead_scoring").model_copy(update={"segments": ["lead_sorce"]})
    with pytest.raises(ModelConfigError, match=r"segments \['lead_sorce'\] are not features"):
        train_model(config, registry=Registry(tmp_path))
    assert not (tmp_path / "lead_scoring").exists()


def test_a_row_cap_samples_whole_entities_the_same_way_every_time(environment) -> None:
    config = load_model_config("purchase_propensity")
    store = open_store()
    full = training_set(config, store=store)
    share = entity_share_for(config, "customer_id", len(full) // 4)
    assert share == pytest.approx(0.25, abs=0.01)
    sampled = training_set(config, entity_share=share, store=store)
    again = training_set(config, entity_share=share, store=store)
    pd.testing.assert_frame_equal(sampled, again)
    assert 0.15 * len(full) < len(sampled) < 0.35 * len(full)
    kept = full[full["customer_id"].isin(set(sampled["customer_id"]))]
    pd.testing.assert_frame_equal(sampled.reset_index(drop=True), kept.reset_index(drop=True))
    assert entity_share_for(config, "customer_id", len(full)) == 1.0


def mfs(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "MFS_FEAST_ENV"}
    return subprocess.run([MFS, *args], capture_output=True, text=True, timeout=600,
                          env={**environ, **env})


def test_cli_trains_lists_promotes_and_rolls_back(environment: dict[str, str],
                                                  tmp_path: Path) -> None:
    env = {**environment, "MFS_MODELS_DIR": str(tmp_path)}
    for _ in range(2):
        trained = mfs(env, "train", "lead-scoring", "--no-promote", "--json")
        assert trained.returncode == 0, trained.stderr
    card = json.loads(trained.stdout)
    assert (card["model"], card["version"]) == ("lead_scoring", 2)
    assert "rule_lead_points" in card["test"]
    versions = json.loads(mfs(env, "models", "list", "--json").stdout)["lead_scoring"]["versions"]
    for entry in versions:
        args = ["models", "promote", "lead-scoring", str(entry["version"])]
        if not entry["gate"]["promote"]:  # 1k customers may not beat every baseline
            refused = mfs(env, *args)
            assert refused.returncode == 1
            assert "did not pass its promotion gate" in refused.stderr
            args += ["--force", "--reason", "test"]
        promoted = mfs(env, *args)
        assert promoted.returncode == 0, promoted.stderr
    listed = json.loads(mfs(env, "models", "list", "--json").stdout)
    assert listed["lead_scoring"]["production"] == 2
    rolled = mfs(env, "models", "rollback", "lead-scoring", "--reason", "test")
    assert rolled.returncode == 0, rolled.stderr
    assert "production is v1" in rolled.stderr
    assert json.loads(mfs(env, "models", "list", "--json").stdout)[
        "lead_scoring"]["production"] == 1
    again = mfs(env, "models", "rollback", "lead-scoring")
    assert again.returncode == 1
    assert "nothing to roll back to" in again.stderr
    shown = mfs(env, "models", "show", "lead-scoring")
    assert shown.returncode == 0
    assert "# Model card: lead_scoring v1" in shown.stderr


def test_training_before_the_feature_repo_is_applied_is_a_clear_error(
    environment: dict[str, str], tmp_path: Path
) -> None:
    proc = mfs({**environment, "MFS_DATA_DIR": str(tmp_path)}, "train", "lead-scoring")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "Feature service lead_scoring_v1 does not exist" in proc.stderr
    assert "run `mfs publish`" in proc.stderr
    assert not (tmp_path / "models").exists()


def test_unknown_model_is_a_clear_error(environment: dict[str, str]) -> None:
    proc = mfs(environment, "train", "churn")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "unknown model 'churn'" in proc.stderr
