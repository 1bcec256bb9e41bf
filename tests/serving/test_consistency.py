"""The guarantee serving rests on, for every entity of the generated data set: the online score
(over HTTP, from the online store) == the batch score (from Feast's offline store) == the score
of the training-set features at the same time, and the feature vectors themselves are equal.

Checked on the embedded store (packed SQLite) and on the production one (packed Redis with the
SQL registry on PostgreSQL)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import redis

from mfs.featurestore.publish import publish
from mfs.featurestore.store import open_store
from mfs.parquet import read_frame
from tests.conftest import require_services
from tests.featurestore.conftest import fresh_production_env
from tests.served import MODELS, ServedWorld
from tests.serving.conftest import Server, running_server
from training.config import load_model_config
from training.datasets import AS_OF, training_set
from training.model import TrainedModel

pytestmark = pytest.mark.slow
TOLERANCE = 1e-6
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own, flushed by this test
REGISTRY_DB = "mfs_registry_serving_test"


def online_scores(server: Server, model: str, ids: list[str]) -> pd.DataFrame:
    """Every id scored over HTTP, with the feature vector used, 1000 ids a request."""
    rows = []
    for start in range(0, len(ids), 1000):
        response = server.post(f"/v1/models/{model}/score",
                               {"ids": ids[start:start + 1000], "reasons": 0,
                                "include_features": True})
        assert response.status_code == 200, response.text
        for entity in response.json()["scores"]:
            assert entity["found"], entity["id"]
            rows.append({"entity_id": entity["id"], "online": entity["probability"],
                         "online_decile": entity["decile"], **entity["features"]})
    return pd.DataFrame(rows).set_index("entity_id")


def same_value(online: object, offline: object) -> bool:
    """Online JSON value vs the training frame's value: null/NaN alike; numbers exact up to
    the float32 the feature is stored in; anything else equal."""
    missing_online, missing_offline = (
        value is None or (isinstance(value, float) and math.isnan(value))
        for value in (online, offline))
    if missing_online or missing_offline:
        return missing_online and missing_offline
    if isinstance(offline, bool | np.bool_) or isinstance(online, bool):
        return bool(online) == bool(offline)
    if isinstance(offline, int | float | np.number):
        return float(np.float32(online)) == float(np.float32(offline))
    return online == offline


def assert_consistent(world: ServedWorld, server: Server, model: str) -> None:
    batch = read_frame(world.batch[model].parquet).set_index("entity_id")
    assert len(batch) > 100
    online = online_scores(server, model, batch.index.tolist())
    as_of = batch["features_as_of"].iloc[0].to_pydatetime()

    # 1. online == batch, score and decile, for every current entity
    joined = batch.join(online, how="inner")
    assert len(joined) == len(batch)
    assert np.abs(joined["online"] - joined["score"]).max() <= TOLERANCE
    assert (joined["online_decile"] == joined["decile"]).all()

    # 2. the training set at the same time: the very code path training uses
    config = load_model_config(model)
    trained = TrainedModel.load(world.registry.version_dir(model, world.batch[model].version))
    frame = training_set(config, start=as_of, end=as_of + timedelta(microseconds=1),
                         complete_only=False)
    key = frame.columns[0]
    assert (frame[AS_OF] == pd.Timestamp(as_of)).all()
    frame = frame.set_index(key)
    assert set(frame.index) <= set(batch.index)
    assert len(frame) >= 0.9 * len(batch), "the label mart should cover nearly every entity"
    from_training = pd.Series(trained.predict(frame), index=frame.index)
    assert np.abs(from_training - joined.loc[frame.index, "online"]).max() <= TOLERANCE
    assert np.abs(from_training - joined.loc[frame.index, "score"]).max() <= TOLERANCE

    # 3. the feature vectors themselves: raw values, and the matrices the model saw
    names = trained.encoder.names
    mismatches = [(entity, name, online.at[entity, name], frame.at[entity, name])
                  for entity in frame.index for name in names
                  if not same_value(online.at[entity, name], frame.at[entity, name])]
    assert not mismatches, mismatches[:10]
    online_rows = [{n: (None if pd.isna(v) else v) for n, v in online.loc[e, names].items()}
                   for e in frame.index]
    np.testing.assert_array_equal(trained.encoder.transform_records(online_rows),
                                  trained.encoder.transform(frame))


@pytest.mark.parametrize("model", MODELS)
def test_online_batch_and_training_agree_on_sqlite(served_world: ServedWorld, server: Server,
                                                  model: str) -> None:
    with served_world.environment():
        assert_consistent(served_world, server, model)


@pytest.fixture(scope="module")
def redis_server(served_world: ServedWorld, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Server]:
    """The same world published to Redis with the registry on PostgreSQL, served from there."""
    require_services()
    prod = fresh_production_env(REDIS_URL, REGISTRY_DB)
    with served_world.environment(**prod):
        publish()
        assert open_store().list_feature_views()
    log: Path = tmp_path_factory.mktemp("redis-server") / "serve.log"
    with running_server(served_world.env, log, **prod) as running:
        yield running
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.mark.services
@pytest.mark.parametrize("model", MODELS)
def test_online_batch_and_training_agree_on_redis(served_world: ServedWorld,
                                                 redis_server: Server, model: str) -> None:
    with served_world.environment():
        assert_consistent(served_world, redis_server, model)


def test_features_as_of_is_the_published_snapshot(served_world: ServedWorld,
                                                  server: Server) -> None:
    body = server.post("/v1/models/purchase_propensity/score", {"ids": ["C00000001"]}).json()
    assert datetime.fromisoformat(body["features_as_of"]) == datetime.fromisoformat(
        served_world.batch["purchase_propensity"].features_as_of)
    timestamps = body["scores"][0]["feature_timestamps"]
    assert set(timestamps) == {"customer_rfm", "customer_web_engagement", "customer_marketing",
                               "customer_profile_features"}
