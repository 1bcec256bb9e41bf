"""The parquet export of the marts: a file per snapshot, rewritten only when its rows changed,
published per mart by swapping a symlink (real DuckDB, real files; no dbt needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mfs import paths
from mfs.build.export import (
    DEFAULT_DUCKDB_MEMORY,
    VERSIONS_DIR,
    export_mart,
    snapshot_file_name,
)

MART = "customer_features"
MONDAYS = [datetime(2026, 6, day, tzinfo=UTC) for day in (1, 8, 15)]


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"create table main.{MART} as select 'C' || i as customer_id, "
                "s::timestamptz as snapshot_at, i * 1.5 as net_revenue_30d_usd, "
                "timestamptz '2026-06-20 00:00:00+00' as created_at "
                "from range(3) as r(i), unnest(?) as t(s)", [MONDAYS])
    yield con
    con.close()


def _export(con: duckdb.DuckDBPyConnection, features: Path) -> tuple[int, int]:
    exported = export_mart(con, features, MART)
    return exported.files_written, exported.files_kept


def _query(sql: str) -> list[tuple]:
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql).fetchall()


def _first_export(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> tuple[Path, Path]:
    """The features directory after a first export, and the mart's directory in it."""
    features = tmp_path / "features"
    _export(con, features)
    return features, paths.mart_export(MART, features)


def _inodes(mart: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in mart.iterdir()}


def test_one_file_per_snapshot_with_microsecond_utc_timestamps(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    features = tmp_path / "features"
    assert _export(warehouse, features) == (3, 0)
    mart = paths.mart_export(MART, features)
    assert mart.is_symlink()
    assert sorted(p.name for p in mart.iterdir()) == [snapshot_file_name(m) for m in MONDAYS]
    assert snapshot_file_name(MONDAYS[0]) == "2026-06-01T000000Z.parquet"
    schema = pq.ParquetDataset(mart).schema
    assert schema.field("snapshot_at").type == pa.timestamp("us", tz="UTC")
    rows = _query(f"select snapshot_at, count(*) from read_parquet('{mart}') group by 1 "
                  "order by 1")
    assert [(r[0], r[1]) for r in rows] == [(m, 3) for m in MONDAYS]


def test_only_changed_and_new_snapshots_are_rewritten(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    features, mart = _first_export(warehouse, tmp_path)
    before = _inodes(mart)
    first_version = mart.resolve()
    newest = MONDAYS[-1]
    # An incremental build: the newest snapshot recomputed, a new one appended.
    warehouse.execute(f"update main.{MART} set net_revenue_30d_usd = -1 where snapshot_at = ?",
                      [newest])
    warehouse.execute(f"insert into main.{MART} select customer_id, snapshot_at + interval 7 day, "
                      f"net_revenue_30d_usd, created_at from main.{MART} where snapshot_at = ?",
                      [newest])
    assert _export(warehouse, features) == (2, 2)
    after = _inodes(mart)
    for old in MONDAYS[:2]:
        assert after[snapshot_file_name(old)] == before[snapshot_file_name(old)]  # hard links
    assert after[snapshot_file_name(newest)] != before[snapshot_file_name(newest)]
    assert len(after) == 4
    assert _query(f"select count(*) from read_parquet('{mart}') "
                  "where net_revenue_30d_usd = -1") == [(6,)]
    # The previous version stays readable for a reader that resolved the link before the swap.
    assert len(list(first_version.iterdir())) == 3
    assert _export(warehouse, features) == (0, 4)
    assert not first_version.exists(), "versions older than the previous one are dropped"
    versions = features / VERSIONS_DIR / MART
    assert sorted(p.name for p in versions.iterdir()) == ["2", "2.json", "3", "3.json"]


def test_changed_snapshots_around_an_unchanged_one_are_written_and_it_is_kept(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """The COPY selects the changed snapshots by a range around them and a list: the unchanged
    snapshot inside the range keeps its file, the two at its ends get their new rows."""
    features, mart = _first_export(warehouse, tmp_path)
    before = _inodes(mart)
    first, middle, last = MONDAYS
    warehouse.execute(f"update main.{MART} set net_revenue_30d_usd = -1 "
                      "where snapshot_at in (?, ?)", [first, last])
    assert _export(warehouse, features) == (2, 1)
    after = _inodes(mart)
    assert after[snapshot_file_name(middle)] == before[snapshot_file_name(middle)]
    rows = _query(f"select snapshot_at, count(*) filter (where net_revenue_30d_usd = -1), "
                  f"count(*) from read_parquet('{mart}') group by 1 order by 1")
    assert [(r[0], r[1], r[2]) for r in rows] == [(first, 3, 3), (middle, 0, 3), (last, 3, 3)]


def test_changes_that_cancel_in_a_plain_xor_of_row_hashes_are_seen(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Every row's last column changed alike in an even number of rows; two rows swapped a
    value. Both must rewrite the snapshot."""
    warehouse.execute(f"delete from main.{MART} where customer_id = 'C2'")  # two rows a snapshot
    features, _ = _first_export(warehouse, tmp_path)
    warehouse.execute(f"update main.{MART} set created_at = created_at + interval 1 day "
                      "where snapshot_at = ?", [MONDAYS[0]])
    warehouse.execute(f"update main.{MART} set net_revenue_30d_usd = case customer_id "
                      "when 'C0' then 1.5 else 0 end where snapshot_at = ?", [MONDAYS[1]])
    assert _export(warehouse, features) == (2, 1)


def test_a_removed_snapshot_disappears_and_a_new_column_rewrites_everything(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    features, mart = _first_export(warehouse, tmp_path)
    warehouse.execute(f"delete from main.{MART} where snapshot_at = ?", [MONDAYS[0]])
    assert _export(warehouse, features) == (0, 2)
    assert snapshot_file_name(MONDAYS[0]) not in _inodes(mart)
    warehouse.execute(f"alter table main.{MART} add column sessions_7d bigint default 0")
    assert _export(warehouse, features) == (2, 0)
    assert "sessions_7d" in pq.ParquetDataset(mart).schema.names


def test_an_empty_mart_keeps_its_schema(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    features = tmp_path / "features"
    warehouse.execute(f"delete from main.{MART}")
    exported = export_mart(warehouse, features, MART)
    assert exported.rows == 0
    mart = paths.mart_export(MART, features)
    assert _query(f"select count(*) from read_parquet('{mart}')") == [(0,)]
    assert "net_revenue_30d_usd" in pq.ParquetDataset(mart).schema.names


def test_the_single_file_layout_and_a_dereferenced_copy_are_replaced(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    features = tmp_path / "features"
    features.mkdir()
    (features / f"{MART}.parquet").write_bytes(b"the export of an earlier version")
    copied = paths.mart_export(MART, features)
    copied.mkdir()  # what `cp -r` or shutil.copytree makes of the link
    (copied / "stale.parquet").write_bytes(b"not a snapshot of this build")
    assert _export(warehouse, features) == (3, 0)
    assert not (features / f"{MART}.parquet").exists()
    assert copied.is_symlink()
    assert "stale.parquet" not in _inodes(copied)


def test_a_failed_export_leaves_the_live_version_untouched(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    features, mart = _first_export(warehouse, tmp_path)
    live = mart.resolve()
    warehouse.execute(f"insert into main.{MART} values ('C9', ?, 1.0, null)",
                      [datetime(2026, 6, 22, tzinfo=UTC)])
    # Fails after the new files are written: the next version's state file is a directory.
    obstacle = features / VERSIONS_DIR / MART / "2.json"
    obstacle.mkdir()
    with pytest.raises(IsADirectoryError):
        export_mart(warehouse, features, MART)
    assert mart.resolve() == live
    assert len(list(mart.iterdir())) == 3
    obstacle.rmdir()
    assert _export(warehouse, features) == (1, 3)
    assert not list((features / VERSIONS_DIR / MART).glob(".*.partial"))


def test_the_export_uses_the_memory_limit_dbt_runs_with() -> None:
    profiles = (paths.REPO_ROOT / "profiles.yml").read_text()
    assert f"env_var('MFS_DUCKDB_MEMORY', '{DEFAULT_DUCKDB_MEMORY}')" in profiles
