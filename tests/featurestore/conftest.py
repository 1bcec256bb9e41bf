"""A Feast store over the shared clean build, published once per test module."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from feast import FeatureStore

from mfs.featurestore.publish import PublishSummary, publish
from mfs.featurestore.store import open_store
from tests.builds import Built


@contextlib.contextmanager
def feast_environment(features: Path, data: Path, **extra: str) -> Iterator[None]:
    """Point mfs (and so feature_repo/) at these exports and this Feast data directory."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MFS_FEATURES_DIR", str(features))
        mp.setenv("MFS_DATA_DIR", str(data))
        mp.delenv("MFS_FEAST_ENV", raising=False)
        for key, value in extra.items():
            mp.setenv(key, value)
        yield


@dataclass
class Published:
    store: FeatureStore
    summary: PublishSummary
    build: Built
    data: Path


@pytest.fixture(scope="module")
def published(clean_build: Built, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Published]:
    """The clean build published to the embedded store (packed SQLite, file registry)."""
    data = tmp_path_factory.mktemp("feast")
    with feast_environment(clean_build.features, data):
        summary = publish()
        yield Published(open_store(), summary, clean_build, data)


def fresh_production_env(redis_url: str, registry_db: str) -> dict[str, str]:
    """Empty the Redis database and drop the registry database (publish recreates it); the
    variables that select them (`MFS_FEAST_ENV=prod`)."""
    import psycopg2
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"drop database if exists {registry_db} with (force)")
    admin.close()
    return {"MFS_FEAST_ENV": "prod", "MFS_REDIS_URL": redis_url,
            "MFS_REGISTRY_URL": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{registry_db}"}
