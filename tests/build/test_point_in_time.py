"""Features at T use only what was known at T: proven by building on data cut at T."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from mfs.contract.truncate import truncate_raw
from tests.builds import Built, run_build

T = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday: a snapshot of both builds


@pytest.fixture(scope="module")
def cut_build(clean_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("cut")
    truncate_raw(clean_raw, root / "raw", T)
    built = run_build(root, root / "raw", dbt_vars={"snapshot_end": T.date().isoformat()})
    assert built.summary.success, (built.summary.failing, built.summary.errors)
    return built


def _at_t(built: Built, mart: str, key: str) -> pd.DataFrame:
    frame = built.frame(
        f"select * exclude (created_at) from {mart} "
        f"where snapshot_at = timestamptz '{T.isoformat()}' order by {key}"
    )
    return frame.reset_index(drop=True)


@pytest.mark.parametrize(("mart", "key"), [("customer_features", "customer_id"),
                                           ("lead_features", "lead_id")])
def test_feature_rows_at_t_equal_whether_or_not_the_future_exists(
    clean_build: Built, cut_build: Built, mart: str, key: str
) -> None:
    full, cut = _at_t(clean_build, mart, key), _at_t(cut_build, mart, key)
    assert len(full) > 50
    pd.testing.assert_frame_equal(full, cut, check_exact=False, rtol=1e-9)


def test_features_before_t_are_also_unchanged(clean_build: Built, cut_build: Built) -> None:
    sql = ("select * exclude (created_at) from customer_features "
           f"where snapshot_at < timestamptz '{T.isoformat()}' order by customer_id, snapshot_at")
    full = clean_build.frame(sql).reset_index(drop=True)
    cut = cut_build.frame(sql).reset_index(drop=True)
    pd.testing.assert_frame_equal(full, cut, check_exact=False, rtol=1e-9)


def test_labels_look_forward_only(clean_build: Built, cut_build: Built) -> None:
    where = f"where snapshot_at = timestamptz '{T.isoformat()}'"
    full = clean_build.frame(f"select * from purchase_labels {where}")
    cut = cut_build.frame(f"select * from purchase_labels {where}")
    assert full["purchased_in_window"].sum() > 0, "the future holds orders"
    assert cut["purchased_in_window"].sum() == 0, "a build at T knows no orders after T"
    assert not cut["is_label_complete"].any()
