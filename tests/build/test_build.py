"""`mfs build` on generated data: green, quarantines exactly, blocks exports on failure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mfs import paths
from mfs.build.export import EXPORTED_MARTS
from mfs.build.status import MANIFEST_FILE, STATUS_FILE, read_build_status
from tests.builds import Built, copy_build, published_exports, run_build
from tests.contract.test_validate import drift_schema

# What each planted defect becomes in staging: (dbt reason, disposition); None = not quarantined.
PLANTED_TO_QUARANTINE = {
    ("crm_contacts", "duplicate_key"): ("duplicate_key", "rejected"),
    ("crm_contacts", "malformed_value"): ("malformed_email", "value_nulled"),
    ("crm_contacts", "duplicate_after_normalization"): ("duplicate_person", "flagged"),
    ("crm_orders", "null_key"): ("null_key", "rejected"),
    ("crm_orders", "out_of_range"): ("negative_amount", "rejected"),
    ("crm_orders", "invalid_value"): ("unknown_currency", "rejected"),
    ("crm_orders", "unknown_reference"): ("unknown_customer", "rejected"),
    ("crm_orders", "wrong_type"): None,  # text item counts that parse are accepted, not lost
    ("web_events", "duplicate_key"): ("duplicate_key", "rejected"),
    ("web_events", "future_timestamp"): ("future_timestamp", "rejected"),
    ("ad_clicks", "unknown_reference"): ("unknown_campaign", "rejected"),
    ("crm_consent_events", "timestamp_without_timezone"):
        ("timestamp_without_timezone", "rejected"),
}


def test_clean_build_is_green_and_exports_every_mart(clean_build: Built) -> None:
    summary = clean_build.summary
    assert summary.success
    assert summary.models.get("success", 0) >= 40
    assert summary.tests.get("pass", 0) >= 150
    assert set(summary.tests) <= {"pass", "unit_pass"}
    assert summary.rejected_rows == {}
    assert {f.mart for f in summary.exported} == set(EXPORTED_MARTS)
    for exported in summary.exported:
        assert exported.rows > 0, exported.mart
    # The dbt call is timed apart from the export (the benchmarks report both).
    exported_seconds = sum(exported.seconds for exported in summary.exported)
    assert 0 < summary.dbt_seconds < summary.seconds - exported_seconds, summary
    assert read_build_status(clean_build.features).success
    manifest = json.loads((clean_build.features / MANIFEST_FILE).read_text())
    assert "model.marketing_feature_store.customer_features" in manifest["nodes"]


def test_exports_store_microsecond_utc_timestamps(clean_build: Built) -> None:
    schema = pq.ParquetDataset(paths.mart_export("customer_features", clean_build.features)).schema
    for name in ("snapshot_at", "created_at"):
        assert schema.field(name).type == pa.timestamp("us", tz="UTC"), name


def test_dirty_data_is_quarantined_with_exact_counts(dirty_build: Built, dirty_raw: Path) -> None:
    assert dirty_build.summary.success, dirty_build.summary.failing
    planted = json.loads((dirty_raw / "_dirty_counts.json").read_text())
    expected: dict[tuple[str, str, str], int] = {}
    for defect in planted:
        outcome = PLANTED_TO_QUARANTINE[(defect["table"], defect["kind"])]
        if outcome:
            expected[(defect["table"], *outcome)] = defect["count"]
    found = dirty_build.frame(
        "select source_table, rejection_reason, disposition, count(*) as n "
        "from stg_quality__rejected_rows group by all"
    )
    actual = {(r.source_table, r.rejection_reason, r.disposition): r.n
              for r in found.itertuples()}
    assert actual == expected


def test_a_failing_test_blocks_the_export_and_names_the_test(
    clean_build: Built, clean_raw: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    contacts = pq.read_table(raw / "crm_contacts.parquet")
    stages = contacts.column("lifecycle_stage").to_pylist()
    stages[:3] = ["vip"] * 3  # passes staging's parsing, breaks the accepted_values test
    idx = contacts.schema.get_field_index("lifecycle_stage")
    contacts = contacts.set_column(idx, "lifecycle_stage", pa.array(stages, pa.string()))
    pq.write_table(contacts, raw / "crm_contacts.parquet")

    previous = copy_build(clean_build, tmp_path / "build")
    before = published_exports(previous.features)
    failed = run_build(previous.root, raw)

    assert not failed.summary.success
    assert failed.summary.stage_failed == "dbt build"
    names = [f["name"] for f in failed.summary.failing]
    assert any("accepted_values_stg_crm__contacts_lifecycle_stage" in n for n in names), names
    assert failed.summary.exported == []
    after = published_exports(previous.features)
    assert after == before, "the previously published exports are untouched"
    status = read_build_status(previous.features)  # what `mfs publish` checks first
    assert not status.success
    assert any("accepted_values_stg_crm__contacts_lifecycle_stage" in n for n in status.failing)


def test_stale_sources_stop_the_build_before_it_starts(clean_raw: Path, tmp_path: Path) -> None:
    built = run_build(tmp_path, clean_raw, freshness="error")
    assert not built.summary.success
    assert built.summary.stage_failed == "freshness"
    stale = {f["name"] for f in built.summary.failing}
    assert "web.web_events" in stale
    assert [p.name for p in (tmp_path / "features").iterdir()] == [STATUS_FILE], "no exports"
    assert read_build_status(tmp_path / "features").stage_failed == "freshness"


def test_absent_optional_sources_build_with_empty_stand_ins(
    clean_raw: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    optional = ("crm_leads", "crm_opportunities", "crm_accounts", "ad_campaigns", "ad_clicks",
                "ad_daily_performance")
    for name in optional:
        (raw / f"{name}.parquet").unlink()
    built = run_build(tmp_path / "build", raw)
    assert built.summary.success, (built.summary.failing, built.summary.errors)
    assert set(built.summary.absent_optional_sources) == set(optional)
    rows = {f.mart: f.rows for f in built.summary.exported}
    assert rows["lead_features"] == 0
    assert rows["customer_features"] > 0


@pytest.mark.parametrize(("change", "column"), [("drop", "amount"), ("extra", "coupon_code"),
                                                ("timestamp_as_number", "ordered_at")])
def test_schema_drift_stops_the_build_naming_file_and_column(
    clean_build: Built, clean_raw: Path, tmp_path: Path, change: str, column: str
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    if change == "timestamp_as_number":  # text is parsed in staging; a number is not a time
        orders = pq.read_table(raw / "crm_orders.parquet")
        idx = orders.schema.get_field_index("ordered_at")
        pq.write_table(orders.set_column(idx, "ordered_at",
                                         orders.column(idx).cast(pa.int64())),
                       raw / "crm_orders.parquet")
    else:
        drift_schema(raw / "crm_orders.parquet", change)
    previous = copy_build(clean_build, tmp_path / "build")
    before = published_exports(previous.features)
    failed = run_build(previous.root, raw)
    assert not failed.summary.success
    assert failed.summary.stage_failed == "schema"
    [problem] = failed.summary.failing
    assert problem["name"] == f"crm_orders.{column}"
    assert str(raw / "crm_orders.parquet") in problem["message"]
    assert repr(column) in problem["message"]
    assert published_exports(previous.features) == before
    assert read_build_status(previous.features).failing == [f"crm_orders.{column}"]
