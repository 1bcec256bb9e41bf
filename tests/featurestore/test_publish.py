"""`mfs publish` on real DuckDB + packed SQLite: every online vector equals the offline truth."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from mfs import paths
from mfs.build.export import snapshot_file_name
from mfs.build.status import STATUS_FILE, BuildNotGreenError
from mfs.featurestore.publish import publish
from mfs.featurestore.store import open_store
from tests.featurestore.conftest import Published, feast_environment
from tests.featurestore.expected import all_keys, latest_offline, online_vectors
from tests.featurestore.test_definitions import dbt_feature_columns

pytestmark = pytest.mark.slow
VIEWS = sorted({view for view, _ in dbt_feature_columns()})  # from the dbt YAML


def assert_online_equals_offline(published: Published, features_dir: Path) -> None:
    for name in VIEWS:
        view = published.store.get_feature_view(name)
        keys = all_keys(features_dir, view)
        expected = latest_offline(features_dir, view)
        online = online_vectors(published.store, view, keys)
        missing = dict.fromkeys(f.name for f in view.features)
        assert expected, name
        mismatched = [k for k in keys if online[k] != expected.get(k, missing)]
        assert not mismatched, (name, mismatched[:3], [online[k] for k in mismatched[:1]],
                                [expected.get(k) for k in mismatched[:1]])


def test_every_online_vector_equals_the_latest_offline_row(published: Published) -> None:
    with feast_environment(published.build.features, published.data):
        assert_online_equals_offline(published, published.build.features)
    written = {v.view: v.written for v in published.summary.views}
    assert written["customer_rfm"] == 1000  # every contact has a row at the newest snapshot
    assert all(written[v] > 0 for v in VIEWS)


def test_publishing_twice_changes_nothing(published: Published) -> None:
    with feast_environment(published.build.features, published.data):
        before = {v: published.store.get_feature_view(v).materialization_intervals
                  for v in VIEWS}
        again = publish()
        after = {v: open_store().get_feature_view(v).materialization_intervals for v in VIEWS}
    assert again.written == 0
    assert [v.written for v in again.views] == [0] * len(VIEWS)
    assert before == after


def test_views_record_their_windows_in_the_registry(published: Published) -> None:
    for name in VIEWS:
        (start, end), = published.store.get_feature_view(name).materialization_intervals
        view = published.store.get_feature_view(name)
        assert end - start == view.ttl  # first publish: newest snapshot minus the view's TTL


def test_publish_refuses_after_a_failed_build(published: Published, tmp_path: Path) -> None:
    features = tmp_path / "features"
    shutil.copytree(published.build.features, features)
    status = json.loads((features / STATUS_FILE).read_text())
    status.update(success=False, stage_failed="dbt build", failing=["not_null_orders_30d"])
    (features / STATUS_FILE).write_text(json.dumps(status))
    with feast_environment(features, tmp_path / "feast"), \
            pytest.raises(BuildNotGreenError, match="not_null_orders_30d"):
        publish()
    assert not (tmp_path / "feast" / "online_store.db").exists()


def test_publish_refuses_without_any_build(tmp_path: Path) -> None:
    with feast_environment(tmp_path / "features", tmp_path / "feast"), \
            pytest.raises(BuildNotGreenError, match="run `mfs build` first"):
        publish()


def test_incremental_publish_converges_to_a_one_shot_publish(
    published: Published, tmp_path: Path
) -> None:
    """Publish without the newest snapshot, then with it: only the new rows are written and the
    online state is the one a single publish of everything gives."""
    features = tmp_path / "features"
    shutil.copytree(published.build.features, features)  # the mart's files, not its link
    mart = paths.mart_export("customer_features", features)
    with duckdb.connect() as con:
        newest, = con.execute(f"select max(snapshot_at) from read_parquet('{mart}')").fetchone()
        at_newest, = con.execute(f"select count(*) from read_parquet('{mart}') "
                                 f"where snapshot_at = '{newest.isoformat()}'::timestamptz"
                                 ).fetchone()
    newest_file = mart / snapshot_file_name(newest)
    shutil.move(newest_file, tmp_path / newest_file.name)
    with feast_environment(features, tmp_path / "feast"):
        publish()
        shutil.move(tmp_path / newest_file.name, newest_file)
        second = publish()
        rfm = next(v for v in second.views if v.view == "customer_rfm")
        assert rfm.written == at_newest
        assert_online_equals_offline(Published(open_store(), second, published.build,
                                               tmp_path / "feast"), features)



def test_every_store_starts_from_its_own_registry(published: Published, tmp_path: Path) -> None:
    """Feast copies a registry's materialization windows onto the objects it applies; they must
    not carry over into another store published from the same process. A first publish writes
    every entity with a row in the view's first window, however many stores came before."""
    with feast_environment(published.build.features, tmp_path / "a"):
        publish()
        publish()
    with feast_environment(published.build.features, tmp_path / "b"):
        fresh = publish()
        store = open_store()
        expected = {name: len(latest_offline(published.build.features,
                                             store.get_feature_view(name))) for name in VIEWS}
    assert {v.view: v.written for v in fresh.views} == expected
