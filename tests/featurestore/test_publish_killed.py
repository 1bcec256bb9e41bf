"""A publish killed with SIGKILL, inside a view's write transaction or between a view's write
and its registry record, leaves no half-written vector, and a re-run converges to the online
state of an uninterrupted publish (tests/featurestore/conftest.py's `published`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mfs.featurestore.store import open_store
from tests.featurestore.conftest import Published, feast_environment
from tests.featurestore.expected import all_keys, online_vectors

pytestmark = pytest.mark.slow
MFS = str(Path(sys.executable).with_name("mfs"))


def publish_process(published: Published, data: Path, fault: str | None
                    ) -> subprocess.CompletedProcess:
    env = {**os.environ, "MFS_FEATURES_DIR": str(published.build.features),
           "MFS_DATA_DIR": str(data)}
    env.pop("MFS_FEAST_ENV", None)
    env.pop("MFS_FAULT", None)
    if fault:
        env["MFS_FAULT"] = fault
    return subprocess.run([MFS, "publish"], env=env, capture_output=True, text=True,
                          timeout=600)


def state(published: Published, data: Path) -> dict[str, dict[str, dict[str, object]]]:
    """Every view's online vectors for every key of its mart (None where nothing is stored)."""
    with feast_environment(published.build.features, data):
        store = open_store()
        return {view.name: online_vectors(store, view, all_keys(published.build.features, view))
                for view in store.list_feature_views()}


@pytest.fixture(scope="module")
def uninterrupted(published: Published) -> dict[str, dict[str, dict[str, object]]]:
    return state(published, published.data)


@pytest.mark.parametrize("fault", ["publish.batch_written:1", "publish.view_written:2"])
def test_a_killed_publish_leaves_whole_views_and_a_rerun_converges(
    published: Published, uninterrupted: dict, tmp_path: Path, fault: str
) -> None:
    killed = publish_process(published, tmp_path, fault)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    after_kill = state(published, tmp_path)
    complete = []
    for view, vectors in after_kill.items():
        empty = all(all(v is None for v in row.values()) for row in vectors.values())
        if not empty:  # a view is either all there or not there at all
            assert vectors == uninterrupted[view], f"{view} is half-written"
            complete.append(view)
    expected_complete = 0 if fault.startswith("publish.batch_written") else 2
    assert len(complete) == expected_complete, complete

    rerun = publish_process(published, tmp_path, None)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert state(published, tmp_path) == uninterrupted
    with feast_environment(published.build.features, tmp_path):
        windows = {v.name: v.materialization_intervals[-1][1]
                   for v in open_store().list_feature_views()}
    with feast_environment(published.build.features, published.data):
        reference = {v.name: v.materialization_intervals[-1][1]
                     for v in open_store().list_feature_views()}
    assert windows == reference
