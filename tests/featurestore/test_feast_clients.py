"""Standard Feast clients work unchanged over our stores: the CLI, materialize, `feast serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from mfs.featurestore.store import FEATURE_REPO, open_store, write_resolved_yaml
from tests.featurestore.conftest import Published, feast_environment
from tests.featurestore.expected import all_keys, online_vectors
from tests.serving.conftest import free_port

pytestmark = pytest.mark.slow
FEAST = str(Path(sys.executable).with_name("feast"))


def feast_cli(yaml_path: Path, features: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MFS_FEATURES_DIR": str(features)}
    return subprocess.run([FEAST, "-c", str(FEATURE_REPO), "-f", str(yaml_path), *args],
                          env=env, capture_output=True, text=True, check=True, timeout=300)


def test_stock_feast_materialize_writes_the_same_online_state(
    published: Published, tmp_path: Path
) -> None:
    """`feast apply` + `feast materialize` (Feast's per-value path through our store's
    online_write_batch) over the windows `mfs publish` chose end where `mfs publish` ends.

    (`materialize-incremental` would start at wall-clock now minus the TTL, and the shared data
    set ends in the past: so the windows are given explicitly.)"""
    with feast_environment(published.build.features, tmp_path):
        yaml_path = write_resolved_yaml(tmp_path / "feature_store.yaml")
        feast_cli(yaml_path, published.build.features, "apply")
        for window in published.summary.views:
            if window.view in ("customer_rfm", "lead_engagement"):
                feast_cli(yaml_path, published.build.features, "materialize",
                          window.window_start, window.window_end, "-v", window.view)
        stock = open_store()
        for name in ("customer_rfm", "lead_engagement"):
            view = stock.get_feature_view(name)
            keys = all_keys(published.build.features, view)
            with feast_environment(published.build.features, published.data):
                ours = online_vectors(published.store, view, keys)
            assert online_vectors(stock, view, keys) == ours, name


def test_feast_serve_answers_like_the_sdk(published: Published, tmp_path: Path) -> None:
    with feast_environment(published.build.features, published.data):
        yaml_path = write_resolved_yaml(tmp_path / "feature_store.yaml")
    port = free_port()
    env = {**os.environ, "MFS_FEATURES_DIR": str(published.build.features)}
    server = subprocess.Popen(
        [FEAST, "-c", str(FEATURE_REPO), "-f", str(yaml_path), "serve", "-p", str(port),
         "--no-access-log"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{url}/health", timeout=5).ok:
                    break
            except requests.RequestException:
                pass  # refused, or accepted but not answering yet while Feast loads (ReadTimeout)
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "feast serve did not become healthy"
            time.sleep(0.5)
        service = published.store.get_feature_service("purchase_propensity_v1")
        customers = all_keys(published.build.features,
                             published.store.get_feature_view("customer_rfm"))
        ids = [*customers[:200], "C_UNKNOWN"]
        response = requests.post(f"{url}/get-online-features", timeout=30, json={
            "feature_service": service.name, "entities": {"customer_id": ids}})
        response.raise_for_status()
        body = response.json()
        names = body["metadata"]["feature_names"]
        over_http = {name: body["results"][i]["values"] for i, name in enumerate(names)}
        with feast_environment(published.build.features, published.data):
            sdk = published.store.get_online_features(
                features=service, entity_rows=[{"customer_id": i} for i in ids]).to_dict()
        assert set(over_http) == set(sdk)
        for name, values in sdk.items():
            assert over_http[name] == values, name
        assert over_http["orders_30d"][-1] is None  # unknown entity: nulls, not an error
    finally:
        server.terminate()
        server.wait(timeout=30)
