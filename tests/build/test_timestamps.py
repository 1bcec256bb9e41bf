"""A timestamp without a zone is never read as UTC, whatever the file stores: text that is a date
alone or a naive time, and a parquet TIMESTAMP without a zone, are `timestamp_without_timezone`
to `mfs validate` and quarantined as that by the build, row for row."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from mfs.contract.validate import validate_directory
from tests.builds import Built, run_build
from tests.conftest import make_raw

pytestmark = pytest.mark.slow


def _identifies_as_text(raw: Path) -> int:
    """web_identifies.occurred_at as text: every third a date alone, every third naive, the rest
    zoned. Returns how many carry no zone."""
    path = raw / "web_identifies.parquet"
    table = pq.read_table(path)
    stamps = table.column("occurred_at")
    zoned = pc.strftime(stamps, format="%Y-%m-%dT%H:%M:%SZ").to_pylist()
    naive = pc.strftime(stamps, format="%Y-%m-%d %H:%M:%S").to_pylist()
    text = [z[:10] if i % 3 == 0 else naive[i] if i % 3 == 1 else z
            for i, z in enumerate(zoned)]
    index = table.schema.get_field_index("occurred_at")
    pq.write_table(table.set_column(index, "occurred_at", pa.array(text, pa.string())), path)
    return sum(1 for i in range(len(text)) if i % 3 != 2)


def _clicks_naive(raw: Path) -> int:
    """ad_clicks.clicked_at as a parquet TIMESTAMP with no zone. Returns the rows."""
    path = raw / "ad_clicks.parquet"
    table = pq.read_table(path)
    index = table.schema.get_field_index("clicked_at")
    naive = table.column("clicked_at").cast(pa.timestamp("us"))
    pq.write_table(table.set_column(index, "clicked_at", naive), path)
    return table.num_rows


@pytest.fixture(scope="module")
def zoneless(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, dict[str, int]]:
    root = tmp_path_factory.mktemp("zoneless")
    make_raw(root, customers=200, days=45, seed=9)
    planted = {"web_identifies": _identifies_as_text(root / "raw"),
               "ad_clicks": _clicks_naive(root / "raw")}
    return run_build(root, root / "raw"), planted


def test_validate_names_every_zoneless_timestamp(zoneless: tuple[Built, dict[str, int]]) -> None:
    built, planted = zoneless
    found = validate_directory(built.raw).counts()
    assert found[("web_identifies", "occurred_at", "timestamp_without_timezone")] \
        == planted["web_identifies"] > 0
    assert found[("ad_clicks", "clicked_at", "timestamp_without_timezone")] \
        == planted["ad_clicks"] > 0


def test_the_build_quarantines_the_same_rows(zoneless: tuple[Built, dict[str, int]]) -> None:
    built, planted = zoneless
    assert built.summary.success, (built.summary.failing, built.summary.errors)
    rejected = built.summary.rejected_rows
    assert rejected["web_identifies"]["timestamp_without_timezone"] == planted["web_identifies"]
    assert rejected["ad_clicks"]["timestamp_without_timezone"] == planted["ad_clicks"]
    kept = built.frame("select count(*) as n from stg_web__identifies")["n"][0]
    assert kept > 0  # the zoned third is read
