"""The production configuration for real: packed Redis online store, SQL registry on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from mfs.featurestore.publish import publish
from mfs.featurestore.store import open_store
from tests.builds import Built
from tests.featurestore.conftest import Published, feast_environment, fresh_production_env
from tests.featurestore.test_publish import assert_online_equals_offline

pytestmark = [pytest.mark.services, pytest.mark.slow]
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by this test
REGISTRY_DB = "mfs_registry_test"


@pytest.fixture
def prod(clean_build: Built, tmp_path: Path) -> Iterator[Published]:
    env = fresh_production_env(REDIS_URL, REGISTRY_DB)
    with feast_environment(clean_build.features, tmp_path, **env):
        summary = publish()
        yield Published(open_store(), summary, clean_build, tmp_path)
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_redis_and_postgresql_registry_serve_the_offline_truth(prod: Published) -> None:
    assert prod.summary.environment == "prod"
    assert prod.summary.registry.startswith("postgresql")
    assert prod.summary.online_store.endswith("PackedRedisOnlineStore")
    assert_online_equals_offline(prod, prod.build.features)
    # The registry lives in PostgreSQL (created by publish), readable by a new client.
    assert {v.name for v in open_store().list_feature_views()} >= {"customer_rfm",
                                                                   "lead_engagement"}
    client = redis.Redis.from_url(REDIS_URL)
    assert client.hlen("mfs:marketing_feature_store:layouts") == 6


def test_republishing_to_redis_writes_nothing(prod: Published) -> None:
    assert publish().written == 0


def test_a_changed_view_layout_drops_its_old_keys(prod: Published) -> None:
    """Keys of an outdated layout are removed on apply, so they can never be misread."""
    client = redis.Redis.from_url(REDIS_URL)
    stale = "mfs:marketing_feature_store:customer_rfm:0000000000:C00000001"
    client.set(stale, b"x")
    client.hset("mfs:marketing_feature_store:layouts", "customer_rfm", "0000000000")
    publish()
    assert not client.exists(stale)
    assert publish().written == 0



def test_erasure_removes_the_person_from_redis_and_nobody_else(prod: Published) -> None:
    """`mfs forget`'s online sweep on the production store: the erased customer's and lead's
    keys go, in every view of their entity; the neighbours' stay."""
    import pandas as pd

    from mfs.privacy.erase import sweep_online

    client = redis.Redis.from_url(REDIS_URL)
    keys = {k.decode() for k in client.scan_iter(match="mfs:marketing_feature_store:*:*:*")}
    customer = sorted(k.rsplit(":", 1)[1] for k in keys if ":customer_rfm:" in k)[0]
    lead = sorted(k.rsplit(":", 1)[1] for k in keys if ":lead_engagement:" in k)[0]
    subjects = pd.DataFrame({"subject_type": ["contact_id", "lead_id"],
                             "subject_id": [customer, lead]})
    removed = sweep_online(subjects)
    left = {k.decode() for k in client.scan_iter(match="mfs:marketing_feature_store:*:*:*")}
    gone = keys - left
    assert gone
    assert all(k.endswith((f":{customer}", f":{lead}")) for k in gone)
    assert not any(k.endswith((f":{customer}", f":{lead}")) for k in left)
    assert sum(removed.values()) == len(gone)
    assert sweep_online(subjects) == dict.fromkeys(removed, 0)  # idempotent
