"""A served world on the shared 1k-customer build: published features, both models trained and
made production, batch scores written, and a helper that runs the real server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from mfs.featurestore.publish import publish
from mfs.featurestore.store import open_store
from serving.batch import BatchScoreSummary, score_all
from tests.builds import Built
from tests.featurestore.conftest import feast_environment
from training.registry import Registry
from training.train import train_model

MFS = str(Path(sys.executable).with_name("mfs"))
MODELS = ("purchase_propensity", "lead_scoring")
API_KEY = "test-key-0123456789abcdef"


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def post(self, path: str, body: object, key: str | None = API_KEY,
             timeout: float = 30) -> requests.Response:
        headers = {"X-API-Key": key} if key else {}
        return requests.post(f"{self.url}{path}", json=body, headers=headers, timeout=timeout)

    def get(self, path: str, key: str | None = API_KEY) -> requests.Response:
        headers = {"X-API-Key": key} if key else {}
        return requests.get(f"{self.url}{path}", headers=headers, timeout=30)


@contextlib.contextmanager
def running_server(env: dict[str, str], log: Path, **extra: str) -> Iterator[Server]:
    """`mfs serve` in its own process on a free port, ready (a model served) before yielding."""
    port = free_port()
    full_env = {**os.environ, **env, "MFS_API_KEYS": API_KEY, **extra}
    with log.open("w") as sink:
        process = subprocess.Popen([MFS, "serve", "--port", str(port), "--poll-seconds", "0.2"],
                                   env=full_env, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"mfs serve exited:\n{log.read_text()}"
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{server.url}/health/ready", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"mfs serve never got ready:\n{log.read_text()}"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def server(served_world: ServedWorld, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    """The server over the embedded store (packed SQLite)."""
    log = tmp_path_factory.mktemp("server") / "serve.log"
    with running_server(served_world.env, log) as running:
        yield running
