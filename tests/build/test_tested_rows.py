"""Data tests of stamped models check the rows written since the last passing build.

macros/tested_rows.sql: a build in which every node passed records its start in
`dbt_passing_builds`; tests of a model with `meta.build_stamp` then see only rows stamped later
(uniqueness: those rows' keys against the whole table). These tests corrupt rows of a built
warehouse directly, stamped before or after the recorded build, and look at which tests fail.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from mfs.build.runner import invoke
from tests.builds import Built, copy_build, run_build


def _passing_builds(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [str(at) for (at,) in con.execute(
            "select run_started_at from dbt_passing_builds order by 1").fetchall()]


def _compiled_test(root: Path, name: str) -> str:
    return next((root / "target" / "compiled").rglob(f"{name}*.sql")).read_text()


def test_a_first_build_tests_every_row(clean_build: Built) -> None:
    assert len(_passing_builds(clean_build.warehouse)) == 1
    for name in ("not_null_stg_web__events_occurred_at", "unique_stg_web__events_event_id",
                 "unique_combination_customer_features_customer_id__snapshot_at"):
        sql = _compiled_test(clean_build.root, name)
        assert "built_at >" not in sql, sql
        assert "created_at >" not in sql, sql


@pytest.fixture(scope="module")
def corrupted_after_a_passing_build(clean_build: Built, tmp_path_factory: pytest.TempPathFactory
                                    ) -> tuple[Built, Built, list[str]]:
    """A copy of the clean build with three bad customer_features rows in older snapshots
    (which an incremental run keeps): one stamped before the recorded build (as if it had
    passed its tests then), and two stamped after it (as if a failed build had written them):
    a negative count and a second row for an existing key. Then the same data is built again.
    """
    build = copy_build(clean_build, tmp_path_factory.mktemp("tested_rows") / "build")
    recorded = _passing_builds(build.warehouse)
    with duckdb.connect(str(build.warehouse)) as con:
        old_snapshot = con.execute(
            "select min(snapshot_at) + interval 28 day from customer_features").fetchone()[0]
        ids = [i for (i,) in con.execute(
            "select customer_id from customer_features where snapshot_at = ? "
            "order by customer_id limit 3", [old_snapshot]).fetchall()]
        where = "where snapshot_at = ? and customer_id = ?"
        con.execute(f"update customer_features set orders_30d = -1 {where}",
                    [old_snapshot, ids[0]])
        con.execute("update customer_features set orders_90d = -1, created_at = now() "
                    f"{where}", [old_snapshot, ids[1]])
        con.execute("insert into customer_features select * replace (now() as created_at) "
                    f"from customer_features {where}", [old_snapshot, ids[2]])
    rebuilt = run_build(build.root, build.raw)
    return build, rebuilt, recorded


def test_rows_written_after_the_last_passing_build_are_tested(
    corrupted_after_a_passing_build: tuple[Built, Built, list[str]]
) -> None:
    _, rebuilt, _ = corrupted_after_a_passing_build
    assert not rebuilt.summary.success
    failing = {f["name"] for f in rebuilt.summary.failing}
    assert "non_negative_customer_features_orders_90d" in failing, failing
    # The new row's key collides with an old row's: found although only one of them is new.
    assert "unique_combination_customer_features_customer_id__snapshot_at" in failing, failing


def test_rows_a_passing_build_tested_are_not_tested_again(
    corrupted_after_a_passing_build: tuple[Built, Built, list[str]]
) -> None:
    _, rebuilt, _ = corrupted_after_a_passing_build
    failing = {f["name"] for f in rebuilt.summary.failing}
    assert "non_negative_customer_features_orders_30d" not in failing, failing
    sql = _compiled_test(rebuilt.root, "non_negative_customer_features_orders_30d")
    assert "created_at > timestamptz" in sql, sql


def test_a_failed_build_records_nothing_so_its_rows_are_tested_again(
    corrupted_after_a_passing_build: tuple[Built, Built, list[str]]
) -> None:
    build, _, recorded = corrupted_after_a_passing_build
    assert _passing_builds(build.warehouse) == recorded
    again = run_build(build.root, build.raw)
    assert "non_negative_customer_features_orders_90d" in {f["name"] for f in
                                                           again.summary.failing}


def test_a_selected_build_records_nothing(clean_build: Built, tmp_path: Path) -> None:
    build = copy_build(clean_build, tmp_path / "build")
    recorded = _passing_builds(build.warehouse)
    run = invoke(["build", "--select", "stg_crm__accounts"], build.raw, build.warehouse,
                 target_dir=build.root / "target")
    assert run.success, run.errors
    assert _passing_builds(build.warehouse) == recorded


def test_a_full_refresh_tests_every_row_unfiltered(clean_build: Built, tmp_path: Path) -> None:
    build = copy_build(clean_build, tmp_path / "build")
    rebuilt = run_build(build.root, build.raw, full_refresh=True)
    assert rebuilt.summary.success, rebuilt.summary.failing
    sql = _compiled_test(rebuilt.root, "unique_stg_web__events_event_id")
    assert "built_at >" not in sql, sql
    assert len(_passing_builds(build.warehouse)) == 2
