"""Changing a definition (a label horizon, the snapshot grid) is safe: `mfs build` rebuilds
every stored row and says why; a plain `dbt build` refuses with the command that does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mfs.build.runner import invoke
from tests.builds import Built, run_build
from tests.conftest import make_raw

pytestmark = pytest.mark.slow
LABELS = ("select * exclude (created_at) from purchase_labels "
          "order by customer_id, snapshot_at")


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("definitions")
    make_raw(root, customers=200, days=120, seed=6)
    return root / "raw"


@pytest.fixture(scope="module")
def at_60_from_scratch(raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    built = run_build(tmp_path_factory.mktemp("fresh60"), raw,
                      dbt_vars={"purchase_label_days": 60})
    assert built.summary.success, built.summary.failing
    return built


def test_a_new_horizon_rebuilds_the_stored_labels(raw: Path, at_60_from_scratch: Built,
                                                  tmp_path: Path) -> None:
    at_30 = run_build(tmp_path, raw)
    assert at_30.summary.success
    assert set(at_30.frame("select distinct label_window_days from purchase_labels")
               ["label_window_days"]) == {30}
    at_60 = run_build(tmp_path, raw, dbt_vars={"purchase_label_days": 60})  # same warehouse
    assert at_60.summary.success, at_60.summary.failing
    assert at_60.summary.rebuilt_for == ["purchase_label_days 30 -> 60"]
    expected = at_60_from_scratch.frame(LABELS)
    assert set(expected["label_window_days"]) == {60}
    pd.testing.assert_frame_equal(expected, at_60.frame(LABELS))
    again = run_build(tmp_path, raw, dbt_vars={"purchase_label_days": 60})
    assert again.summary.rebuilt_for == []  # recorded: the next build is incremental again


def test_plain_dbt_refuses_with_the_command(raw: Path, at_60_from_scratch: Built) -> None:
    run = invoke(["build", "--vars", "{purchase_label_days: 45}"], raw,
                 at_60_from_scratch.warehouse, target_dir=at_60_from_scratch.root / "target")
    assert not run.success
    said = " ".join(" ".join(run.errors).split())
    assert "purchase_label_days 60 -> 45" in said
    assert "--full-refresh" in said
