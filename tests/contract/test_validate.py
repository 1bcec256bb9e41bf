"""The contract validator on clean data, planted defects, schema drift and missing sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mfs.contract import TABLES
from mfs.contract.files import RawLayoutError, discover
from mfs.contract.validate import validate_directory


def copy_raw(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_clean_data_satisfies_the_contract(clean_raw: Path) -> None:
    report = validate_directory(clean_raw)
    assert report.ok, [v.message for v in report.violations]
    checked = {t.table for t in report.tables if t.status == "checked"}
    assert checked == {t.name for t in TABLES}
    for t in report.tables:
        assert t.rows > 0, t.table
        assert t.valid_rows == t.rows, t.table


def test_every_planted_defect_is_found_with_its_exact_count(dirty_raw: Path) -> None:
    planted = json.loads((dirty_raw / "_dirty_counts.json").read_text())
    assert len(planted) >= 12
    expected = {(d["table"], d["column"], d["kind"]): d["count"] for d in planted}
    found = validate_directory(dirty_raw).counts()
    assert found == expected


def test_violation_messages_name_file_column_and_rows(dirty_raw: Path) -> None:
    report = validate_directory(dirty_raw)
    negative = next(v for v in report.violations if v.kind == "out_of_range")
    assert "crm_orders.parquet" in negative.message
    assert "amount" in negative.message
    assert negative.examples, "a few example rows are reported"
    with duckdb.connect() as con:
        amounts = con.execute(
            "select amount from read_parquet(?, file_row_number=true) "
            "where file_row_number + 1 in (select unnest(?))",
            [str(dirty_raw / "crm_orders.parquet"), negative.examples],
        ).fetchall()
    assert amounts
    assert all(a < 0 for (a,) in amounts), "example rows point at the bad rows"


def test_missing_optional_sources_are_allowed(clean_raw: Path, tmp_path: Path) -> None:
    raw = copy_raw(clean_raw, tmp_path / "raw")
    for name in ("crm_leads", "crm_opportunities", "ad_campaigns", "ad_clicks",
                 "ad_daily_performance", "crm_accounts"):
        (raw / f"{name}.parquet").unlink()
    report = validate_directory(raw)
    assert report.ok, [v.message for v in report.violations]
    absent = {t.table for t in report.tables if t.status == "absent_optional"}
    assert {"crm_leads", "ad_clicks", "crm_accounts"} <= absent


def test_missing_required_source_is_a_violation(clean_raw: Path, tmp_path: Path) -> None:
    raw = copy_raw(clean_raw, tmp_path / "raw")
    (raw / "crm_orders.parquet").unlink()
    report = validate_directory(raw)
    assert report.counts() == {("crm_orders", None, "missing_table"): 1}


def test_left_out_columns_one_violation_a_kind(clean_raw: Path, tmp_path: Path) -> None:
    """Nullable and defaulted columns may be left out (listed, not violations); the required
    ones that are missing are one violation naming them all, not one per column."""
    raw = copy_raw(clean_raw, tmp_path / "raw")
    path = raw / "crm_contacts.parquet"
    kept = ["contact_id", "email", "created_at"]  # no updated_at (required), no nullable ones
    pq.write_table(pq.read_table(path, columns=kept), path)
    path = raw / "crm_orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["status", "channel", "currency", "amount"]),
                   path)
    report = validate_directory(raw)
    assert report.counts() == {("crm_contacts", "updated_at", "missing_column"): 1,
                               ("crm_orders", "amount, currency", "missing_column"): 2}
    orders = next(t for t in report.tables if t.table == "crm_orders")
    assert orders.absent_columns == ["status (= completed)", "channel (null)"]
    contacts = next(t for t in report.tables if t.table == "crm_contacts")
    assert "lifecycle_stage (null)" in contacts.absent_columns


def drift_schema(path: Path, change: str) -> None:
    """crm_orders.parquet with `amount` dropped, an extra `coupon_code`, or `amount` as text."""
    table = pq.read_table(path)
    if change == "drop":
        table = table.drop_columns(["amount"])
    elif change == "extra":
        table = table.append_column("coupon_code", pa.array(["X"] * table.num_rows))
    elif change == "type":
        idx = table.schema.get_field_index("amount")
        table = table.set_column(idx, "amount", table.column(idx).cast(pa.string()))
    pq.write_table(table, path)


@pytest.mark.parametrize(
    ("change", "kind"),
    [("drop", "missing_column"), ("extra", "unexpected_column"), ("type", "wrong_type")],
)
def test_schema_drift_names_the_file_and_column(
    clean_raw: Path, tmp_path: Path, change: str, kind: str
) -> None:
    raw = copy_raw(clean_raw, tmp_path / "raw")
    drift_schema(raw / "crm_orders.parquet", change)
    report = validate_directory(raw)
    [violation] = report.violations
    assert violation.kind == kind
    assert "crm_orders.parquet" in violation.message
    assert violation.column in ("amount", "coupon_code")
    assert violation.column in violation.message


def test_csv_files_are_accepted(clean_raw: Path, tmp_path: Path) -> None:
    raw = copy_raw(clean_raw, tmp_path / "raw")
    with duckdb.connect() as con:
        con.execute("set TimeZone='UTC'")
        for name in ("crm_orders", "crm_contacts", "web_events"):
            src = raw / f"{name}.parquet"
            con.execute(f"copy (select * from read_parquet('{src}')) to "
                        f"'{raw / (name + '.csv')}' (header)")
            src.unlink()
    report = validate_directory(raw)
    assert report.ok, [v.message for v in report.violations]
    assert {t.format for t in report.tables if t.table == "crm_orders"} == {"csv"}


def test_two_formats_of_one_table_is_an_error(clean_raw: Path, tmp_path: Path) -> None:
    raw = copy_raw(clean_raw, tmp_path / "raw")
    (raw / "crm_orders.csv").write_text("order_id\n1\n")
    with pytest.raises(RawLayoutError, match="crm_orders"):
        discover(raw)
