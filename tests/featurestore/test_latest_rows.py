"""The row publish takes per entity: newest event time in the window, ties by created time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from mfs.featurestore.dbt_features import FeatureColumn, MartSpec, ViewSpec
from mfs.featurestore.publish import latest_rows

T0 = datetime(2026, 6, 1, tzinfo=UTC)
MART = MartSpec(
    model="things", description="", entity="thing", entity_description="", join_key="thing_id",
    join_key_type="varchar", timestamp_field="snapshot_at", created_timestamp_field="created_at",
    views=(ViewSpec(name="thing_view", description="", ttl=timedelta(days=7), owner="o",
                    team="t", features=(FeatureColumn("value", "bigint", "Int64", "v"),)),),
)


def _write(path: Path, rows: list[tuple[str, datetime, datetime, int]]) -> Path:
    keys, snaps, created, values = zip(*rows, strict=True)
    ts = pa.timestamp("us", tz="UTC")
    pq.write_table(pa.table({"thing_id": keys, "snapshot_at": pa.array(snaps, ts),
                             "created_at": pa.array(created, ts), "value": values}), path)
    return path


def test_newest_event_wins_then_newest_created_and_the_window_bounds_hold(tmp_path: Path) -> None:
    day = timedelta(days=1)
    path = _write(tmp_path / "things.parquet", [
        ("a", T0, T0, 1),
        ("a", T0 + day, T0 + day, 2),             # newer event time: wins
        ("b", T0 + day, T0 + day, 3),
        ("b", T0 + day, T0 + 2 * day, 4),         # same event time, recomputed later: wins
        ("c", T0 - 10 * day, T0 - 10 * day, 5),   # before the window: not published
        ("d", T0 + 3 * day, T0 + 3 * day, 6),     # after the window's end: not yet
        ("d", T0, T0, 7),
    ])
    with duckdb.connect() as con:
        table = latest_rows(con, MART, path, T0, T0 + 2 * day)
    assert table.column("thing_id").to_pylist() == ["a", "b", "d"]
    assert table.column("value").to_pylist() == [2, 4, 7]
