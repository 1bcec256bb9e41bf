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
