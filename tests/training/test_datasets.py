"""Training sets through Feast are point-in-time correct, and our ASOF store agrees with Feast's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from feast import FeatureStore, RepoConfig

from mfs import paths
from mfs.featurestore.publish import apply_repo
from mfs.featurestore.store import FEATURE_REPO, open_store, raw_config
from tests.builds import Built
from tests.featurestore.conftest import feast_environment
from training.datasets import AS_OF, feature_names, training_set

pytestmark = pytest.mark.slow
US = timedelta(microseconds=1)


@pytest.fixture(scope="module")
def store(clean_build: Built, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[FeatureStore]:
    with feast_environment(clean_build.features, tmp_path_factory.mktemp("feast")):
        store = open_store()
        apply_repo(store)  # the registry only: training needs no online store
        yield store


def _snapshots(features: Path) -> list[pd.Timestamp]:
    with duckdb.connect() as con:
        return [r[0] for r in con.execute(
            "select distinct snapshot_at from read_parquet(?) "
            "order by 1", [str(paths.mart_export("customer_features", features))]).fetchall()]


def _tricky_entity_rows(features: Path) -> pd.DataFrame:
    """As-of times on, just after and just before snapshots, before any data and after the
    last snapshot by more than some views' TTL."""
    snaps = _snapshots(features)
    times = [snaps[0] - US, snaps[0], snaps[0] + US, snaps[5] - US, snaps[5], snaps[-2] + US,
             snaps[-1], snaps[-1] + timedelta(days=10), snaps[-1] + timedelta(days=20),
             snaps[-1] + timedelta(days=40)]
    customers = [f"C{i:08d}" for i in range(0, 1000, 37)]
    return pd.DataFrame([{"customer_id": c, AS_OF: t} for c in customers for t in times])


def _historical(store: FeatureStore, rows: pd.DataFrame) -> pd.DataFrame:
    service = store.get_feature_service("purchase_propensity_v1")
    frame = store.get_historical_features(entity_df=rows, features=service).to_df()
    columns = ["customer_id", AS_OF, *feature_names(service)]
    frame[AS_OF] = pd.to_datetime(frame[AS_OF], utc=True).astype("datetime64[us, UTC]")
    return frame[columns].sort_values(["customer_id", AS_OF]).reset_index(drop=True)


@pytest.mark.parametrize("late_only", [False, True])
def test_asof_store_returns_what_feasts_own_duckdb_store_returns(
    store: FeatureStore, clean_build: Built, late_only: bool
) -> None:
    """late_only: as-of times after the last snapshot only, so the store reads just the tail
    of the sources (rows older than the earliest as-of time minus the TTL are skipped)."""
    rows = _tricky_entity_rows(clean_build.features)
    if late_only:
        rows = rows[rows[AS_OF] > _snapshots(clean_build.features)[-1]]
    config = raw_config()
    config["offline_store"] = {"type": "duckdb"}
    stock = FeatureStore(config=RepoConfig(**config, repo_path=FEATURE_REPO),
                         repo_path=str(FEATURE_REPO))
    ours = _historical(store, rows)
    feasts = _historical(stock, rows)
    pd.testing.assert_frame_equal(ours, feasts, check_dtype=False)


def test_the_row_used_is_the_latest_at_or_before_the_as_of_time_within_ttl(
    store: FeatureStore, clean_build: Built
) -> None:
    rows = _tricky_entity_rows(clean_build.features)
    got = _historical(store, rows)
    path = paths.mart_export("customer_features", clean_build.features)
    with duckdb.connect() as con:
        truth = con.execute(f"select customer_id, snapshot_at, orders_lifetime, sessions_7d, "
                            f"country_code from read_parquet('{path}')").df()
    snaps = _snapshots(clean_build.features)
    ttl = {"orders_lifetime": timedelta(days=15), "sessions_7d": timedelta(days=8),
           "country_code": timedelta(days=35)}
    for row in got.itertuples():
        mine = truth[(truth.customer_id == row.customer_id)
                     & (truth.snapshot_at <= row.event_timestamp)]
        for feature, window in ttl.items():
            usable = mine[mine.snapshot_at >= row.event_timestamp - window]
            expected = (None if usable.empty
                        else usable.sort_values("snapshot_at").iloc[-1][feature])
            value = getattr(row, feature)
            assert (pd.isna(value) if expected is None else value == expected), (
                row.customer_id, row.event_timestamp, feature, value, expected)
    # The cases the semantics hinge on, spelled out.
    c0 = got[got.customer_id == "C00000000"].set_index(AS_OF)
    assert c0.loc[snaps[0] - US].isna()["orders_lifetime"]  # before any snapshot: nothing
    after = snaps[-1] + timedelta(days=10)
    assert pd.isna(c0.loc[after, "sessions_7d"])  # 8-day TTL expired
    assert not pd.isna(c0.loc[after, "orders_lifetime"])  # 15-day TTL still holds
    assert c0.loc[snaps[-1] + timedelta(days=40)].isna()["country_code"]  # all expired


def test_training_set_pairs_labels_with_features_as_of_their_time(
    store: FeatureStore, clean_build: Built
) -> None:
    snaps = _snapshots(clean_build.features)
    start, end = snaps[10], snaps[20]
    frame = training_set("purchase_propensity", start, end, store=store)
    service = store.get_feature_service("purchase_propensity_v1")
    assert list(frame.columns) == ["customer_id", AS_OF, *feature_names(service),
                                   "purchased_in_window"]
    assert frame[AS_OF].min() >= start
    assert frame[AS_OF].max() < end
    with duckdb.connect() as con:
        labels = con.execute(
            f"select customer_id, snapshot_at, purchased_in_window from "
            f"read_parquet('{paths.mart_export('purchase_labels', clean_build.features)}') "
            f"where is_label_complete "
            f"and snapshot_at >= ? and snapshot_at < ? order by snapshot_at, customer_id",
            [start, end]).df()
        features = con.execute(
            f"select customer_id, snapshot_at, orders_90d from "
            f"read_parquet('{paths.mart_export('customer_features', clean_build.features)}')").df()
    assert frame["purchased_in_window"].tolist() == labels["purchased_in_window"].tolist()
    assert frame["customer_id"].tolist() == labels["customer_id"].tolist()
    # Labels sit on snapshots, so each row's features are that very snapshot's row.
    joined = frame.merge(features, left_on=["customer_id", AS_OF],
                         right_on=["customer_id", "snapshot_at"], suffixes=("", "_mart"))
    assert len(joined) == len(frame)
    assert (joined["orders_90d"] == joined["orders_90d_mart"]).all()
