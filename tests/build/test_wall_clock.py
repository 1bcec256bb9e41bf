"""The wall clock is an input: the demo's build path (generate to "today", validate, build with
freshness checked) passes at any hour, and no snapshot is ever later than the build's "now",
also on data that runs up to that moment (docs/features.md, "The latest snapshot")."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mfs.contract.schema import TABLES_BY_NAME
from mfs.contract.truncate import truncate_raw
from mfs.contract.validate import validate_directory
from mfs.synthetic.generate import GenerateOptions, generate
from tests.build.test_incremental import TABLES
from tests.builds import Built, run_build
from tests.clock import frozen_clock

pytestmark = pytest.mark.slow

DAY = date(2026, 7, 1)  # a Wednesday: the latest snapshot is not also a Monday one
HOURS = (time(0, 5), time(12, 0), time(23, 55))
# Seed 18 at this size has a web session that starts before midnight and runs past it: the
# event that put the demo's latest snapshot in the future (2026-12-04, 00:14).
WORLD = {"customers": 300, "days": 60, "seed": 18}


def _at(day: date, hour: time) -> datetime:
    return datetime.combine(day, hour, tzinfo=UTC)


def _newest_raw_timestamp(raw: Path) -> datetime:
    """The latest value of any timestamp column of any raw table."""
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        newest = []
        for path in sorted(raw.glob("*.parquet")):
            table = TABLES_BY_NAME[path.stem]
            columns = [c.name for c in table.columns if c.name.endswith("_at")]
            for column in columns:
                value = con.execute(f"select max({column}) from read_parquet(?)",
                                    [str(path)]).fetchall()[0][0]
                if value is not None:
                    newest.append(value)
    return max(newest)


def _latest_snapshot(built: Built) -> datetime:
    return built.frame("select max(snapshot_at) as at from int_snapshot_calendar")["at"][0]


@pytest.fixture(scope="module")
def builds_at_hours(tmp_path_factory: pytest.TempPathFactory) -> dict[time, Built]:
    """The demo's path at each hour of DAY: data generated to "today" by the generator's
    default end, checked, built with freshness as an error."""
    out: dict[time, Built] = {}
    for hour in HOURS:
        root = tmp_path_factory.mktemp(f"clock_{hour:%H%M}")
        with frozen_clock(_at(DAY, hour)) as now:
            generate(GenerateOptions(out=root / "raw", truth_out=root / "truth", **WORLD))
            newest = _newest_raw_timestamp(root / "raw")
            assert newest < now, f"generated an event at {newest}, after now ({now})"
            report = validate_directory(root / "raw")
            assert report.ok, [v.message for t in report.tables for v in t.violations]
            out[hour] = run_build(root, root / "raw", freshness="error")
    return out


@pytest.mark.parametrize("hour", HOURS, ids=[f"{h:%H%M}" for h in HOURS])
def test_the_demo_build_path_passes_at_any_hour(builds_at_hours: dict[time, Built],
                                                hour: time) -> None:
    built = builds_at_hours[hour]
    summary = built.summary
    assert summary.success, (summary.stage_failed, summary.failing, summary.errors)
    assert {f["status"] for f in summary.freshness} <= {"pass", "warn"}
    assert _latest_snapshot(built) == _at(DAY, time(0))


def test_the_generator_stops_at_its_end_not_after(builds_at_hours: dict[time, Built]) -> None:
    """Data generated to DAY holds nothing from DAY itself, even a session begun before it."""
    for built in builds_at_hours.values():
        assert _newest_raw_timestamp(built.raw) < _at(DAY, time(0))


@pytest.fixture(scope="module")
def up_to_now(builds_at_hours: dict[time, Built], tmp_path_factory: pytest.TempPathFactory
              ) -> Built:
    """Yesterday's build at noon, on exports cut at that noon: data runs up to "now"."""
    root = tmp_path_factory.mktemp("up_to_now")
    noon = _at(DAY - timedelta(days=1), time(12, 0))
    truncate_raw(builds_at_hours[HOURS[0]].raw, root / "raw", noon)
    with frozen_clock(noon):
        return run_build(root, root / "raw", freshness="error")


def test_on_data_up_to_now_the_latest_snapshot_is_the_last_midnight(up_to_now: Built) -> None:
    summary = up_to_now.summary
    assert summary.success, (summary.stage_failed, summary.failing, summary.errors)
    yesterday = _at(DAY - timedelta(days=1), time(0))
    # The morning's events are in the warehouse, but no snapshot counts them yet.
    morning = up_to_now.frame(
        f"select count(*) as n from stg_web__events where occurred_at >= '{yesterday}'")
    assert morning["n"][0] > 0
    assert _latest_snapshot(up_to_now) == yesterday
    for mart in ("customer_features", "lead_features", "purchase_labels"):
        newest = up_to_now.frame(f"select max(snapshot_at) as at from {mart}")["at"][0]
        assert newest == yesterday, mart


def test_the_next_days_incremental_build_equals_a_full_one(
    up_to_now: Built, builds_at_hours: dict[time, Built], tmp_path: Path
) -> None:
    """The capped snapshot is replaced, like any "latest day", when the next day's data comes."""
    full = builds_at_hours[HOURS[0]]
    root = tmp_path / "incremental"
    root.mkdir()
    shutil.copy(up_to_now.warehouse, root / "warehouse.duckdb")
    with frozen_clock(_at(DAY, HOURS[0])):
        incremental = run_build(root, full.raw, freshness="error")
    assert incremental.summary.success, incremental.summary.failing
    for table, sql in TABLES.items():
        expected = full.frame(sql).reset_index(drop=True)
        assert len(expected) > 0, table
        pd.testing.assert_frame_equal(expected, incremental.frame(sql).reset_index(drop=True),
                                      check_exact=False, rtol=1e-9, obj=table)
