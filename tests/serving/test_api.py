"""The scoring API over real HTTP against the real server process and online store: API keys,
validation, unknown entities, metrics, logs without ids, a hot model swap under load, and a
property-based fuzz of the OpenAPI schema."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from tests.served import ServedWorld
from tests.serving.conftest import API_KEY, MFS, Server, running_server
from training.model import TrainedModel
from training.registry import Registry

pytestmark = pytest.mark.slow
SCORE = "/v1/models/purchase_propensity/score"


def test_scoring_needs_an_api_key_and_health_does_not(server: Server) -> None:
    assert server.post(SCORE, {"ids": ["C00000001"]}, key=None).status_code == 401
    wrong = server.post(SCORE, {"ids": ["C00000001"]}, key="not-the-key-0123456789")
    assert wrong.status_code == 401
    assert "X-API-Key" in wrong.json()["detail"]
    assert server.get("/v1/models", key=None).status_code == 401
    assert server.post(SCORE, {"ids": ["C00000001"]}).status_code == 200
    assert server.get("/health/live", key=None).json() == {"status": "ok"}
    ready = server.get("/health/ready", key=None)
    assert ready.status_code == 200
    assert ready.json()["models"]["purchase_propensity"]["serving"] == 1


@pytest.mark.parametrize(("path", "body", "status", "says"), [
    ("/v1/models/churn/score", {"ids": ["C00000001"]}, 404,
     "unknown model 'churn'; known: lead_scoring, purchase_propensity"),
    (SCORE, {"ids": ["jane.doe@example.com"]}, 422, "String should match pattern"),
    (SCORE, {"ids": ["has space"]}, 422, "String should match pattern"),
    (SCORE, {"ids": []}, 422, "at least 1 item"),
    (SCORE, {"ids": [f"C{i:08d}" for i in range(1001)]}, 422, "at most 1000 items"),
    (SCORE, {"ids": ["C00000001"], "reasons": 99}, 422, "less than or equal to 20"),
    (SCORE, {"ids": ["C00000001"], "limit": 1}, 422, "Extra inputs are not permitted"),
    (SCORE, {"customer_id": "C00000001"}, 422, "Field required"),
])
def test_bad_requests_get_a_4xx_that_says_why(server: Server, path: str, body: object,
                                              status: int, says: str) -> None:
    response = server.post(path, body)
    assert response.status_code == status, response.text
    assert says in response.text


def test_dashes_in_model_names_are_accepted(server: Server) -> None:
    response = server.post("/v1/models/lead-scoring/score", {"ids": ["L00000001"]})
    assert response.status_code == 200
    assert response.json()["model"] == "lead_scoring"


def test_an_unknown_entity_gets_the_flagged_default_score(served_world: ServedWorld,
                                                         server: Server) -> None:
    """Documented choice: scored from an all-missing vector and flagged, not an error."""
    body = server.post(SCORE, {"ids": ["C00000001", "NOT-A-CUSTOMER", "ALSO-NEW"],
                               "include_features": True}).json()
    known, unknown, other = body["scores"]
    assert [e["found"] for e in (known, unknown, other)] == [True, False, False]
    assert all(v is None for v in unknown["features"].values())
    assert all(ts is None for ts in unknown["feature_timestamps"].values())
    model = TrainedModel.load(served_world.registry.version_dir("purchase_propensity", 1))
    default = model.predict_encoded(np.full((1, len(model.encoder.names)), np.nan,
                                            dtype=np.float32))[0]
    assert unknown["probability"] == pytest.approx(default, abs=1e-6)
    assert other["probability"] == unknown["probability"]
    assert known["probability"] != unknown["probability"]


def test_reason_codes_explain_the_score(server: Server) -> None:
    body = server.post(SCORE, {"ids": ["C00000001"], "reasons": 20,
                               "include_features": True}).json()
    entity = body["scores"][0]
    reasons = entity["reasons"]
    assert reasons, "a known customer has reasons"
    sizes = [abs(r["contribution"]) for r in reasons]
    assert sizes == sorted(sizes, reverse=True)
    for reason in reasons:
        assert reason["description"], reason["feature"]
        assert reason["direction"] == ("raises" if reason["contribution"] > 0 else "lowers")
        assert reason["value"] == entity["features"][reason["feature"]]
    # The default three are the first three of the longer list.
    top3 = server.post(SCORE, {"ids": ["C00000001"]}).json()["scores"][0]["reasons"]
    assert [r["feature"] for r in top3] == [r["feature"] for r in reasons[:3]]


def test_models_lists_what_is_served(server: Server) -> None:
    models = {m["model"]: m for m in server.get("/v1/models").json()["models"]}
    assert set(models) == {"purchase_propensity", "lead_scoring"}
    for entry in models.values():
        assert entry["production_version"] == entry["serving_version"] == entry["version"] == 1
        assert entry["feature_service"].endswith("_v1")


def test_metrics_count_requests_entities_and_refusals(server: Server) -> None:
    server.post(SCORE, {"ids": ["C00000001", "C00000002"]})
    server.post(SCORE, {"ids": ["C00000001"]}, key=None)
    text = server.get("/metrics", key=None).text
    assert 'mfs_score_requests_total{model="purchase_propensity"}' in text
    assert 'mfs_request_errors_total{status="401"}' in text
    assert 'mfs_score_seconds_bucket{le="0.003",model="purchase_propensity"}' in text
    assert 'mfs_model_version{model="purchase_propensity"} 1.0' in text


def test_logs_carry_no_ids_or_personal_data(server: Server) -> None:
    ids = ["C00000003", "C00000004", "NEWCOMER-42"]
    assert server.post(SCORE, {"ids": ids}).status_code == 200
    server.post(SCORE, {"ids": ["someone@example.com"]})
    time.sleep(0.5)
    log = server.log.read_text()
    assert "scored model=purchase_propensity" in log
    for secret in [*ids, "someone@example.com", API_KEY]:
        assert secret not in log


def test_serve_refuses_to_start_without_api_keys(served_world: ServedWorld) -> None:
    env = {k: v for k, v in {**os.environ, **served_world.env}.items()
           if not k.startswith("MFS_API_KEYS")}
    result = subprocess.run([MFS, "serve", "--port", "1"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert "no API key configured: set MFS_API_KEYS" in result.stderr


def test_a_promoted_model_is_served_without_restart_or_dropped_requests(
    served_world: ServedWorld, tmp_path: Path
) -> None:
    models_dir = tmp_path / "models"
    shutil.copytree(served_world.registry.root, models_dir)
    registry = Registry(models_dir)
    model = "purchase_propensity"
    env = {**served_world.env, "MFS_MODELS_DIR": str(models_dir)}
    with running_server(env, tmp_path / "serve.log") as server:
        seen: list[int] = []
        errors: list[str] = []
        stop = threading.Event()

        def hammer() -> None:
            with requests.Session() as session:
                while not stop.is_set():
                    try:
                        response = session.post(f"{server.url}{SCORE}", json={
                            "ids": ["C00000001"]}, headers={"X-API-Key": API_KEY}, timeout=10)
                        if response.status_code != 200:
                            errors.append(f"{response.status_code} {response.text}")
                        else:
                            seen.append(response.json()["version"])
                    except requests.RequestException as exc:
                        errors.append(repr(exc))

        client = threading.Thread(target=hammer)
        client.start()
        try:
            time.sleep(1)
            staged = registry.staging_dir(model)
            shutil.copytree(registry.version_dir(model, 1), staged, dirs_exist_ok=True)
            entry = {k: v for k, v in registry.versions(model)[0].items()
                     if k not in ("version", "registered_at")}
            new = registry.register(model, staged, entry)
            registry.set_production(model, new, "test: hot swap")
            deadline = time.monotonic() + 30
            while new not in seen[-5:] and time.monotonic() < deadline:
                time.sleep(0.1)
            registry.rollback(model, "test: and back")
            deadline = time.monotonic() + 30
            while seen[-1] != 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            stop.set()
            client.join(timeout=30)
        assert not errors, errors[:5]
        assert new == 2
        assert 2 in seen, "the promoted version was never served"
        swaps = [b for a, b in itertools.pairwise(seen) if a != b]
        assert swaps == [2, 1], f"versions answered in order: {swaps}"
        assert len(seen) > 50


def test_fuzzing_the_openapi_schema_finds_no_server_error(server: Server,
                                                         tmp_path: Path) -> None:
    """schemathesis generates requests from /openapi.json (valid and invalid bodies, paths,
    headers); none may get a 5xx."""
    schemathesis = str(Path(MFS).with_name("schemathesis"))
    result = subprocess.run(
        [schemathesis, "run", f"{server.url}/openapi.json", "--checks", "not_a_server_error",
         "--header", f"X-API-Key: {API_KEY}", "--max-examples", "60", "--workers", "1",
         "--seed", "42", "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "POST /v1/models/{model}/score" in result.stdout
