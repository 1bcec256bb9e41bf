"""Source freshness judges the tables that came, against the build's clock: an absent optional
table (an empty stand-in) is reported as absent and an empty one as empty, never as stale."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mfs.contract.schema import TABLES
from tests.builds import Built, run_build
from tests.clock import frozen_clock
from tests.conftest import END, make_raw

pytestmark = pytest.mark.slow
KEPT = {"crm_contacts", "crm_orders", "crm_consent_events"}  # consent: optional, present


@pytest.fixture(scope="module")
def few_tables(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The required tables, fresh; crm_leads with a header and no rows; nothing else."""
    root = tmp_path_factory.mktemp("few_tables")
    make_raw(root, customers=200, days=45, seed=4)
    raw = root / "raw"
    for table in TABLES:
        path = raw / f"{table.name}.parquet"
        if table.name == "crm_leads":
            pq.write_table(pq.read_table(path).slice(0, 0), path)
        elif table.name not in KEPT:
            path.unlink()
    with frozen_clock(datetime.combine(END, time(6), tzinfo=UTC)):
        return run_build(root, raw, freshness="error")


def test_absent_and_empty_tables_are_not_stale(few_tables: Built) -> None:
    summary = few_tables.summary
    assert summary.success, (summary.stage_failed, summary.failing, summary.errors)
    status = {f["source"]: f["status"] for f in summary.freshness}
    assert status["crm.crm_leads"] == "empty"
    assert {status[f"crm.{name}"] for name in KEPT} == {"pass"}
    assert not any(source.split(".")[1] in summary.absent_optional_sources for source in status)
    assert "web_events" in summary.absent_optional_sources


def test_a_stale_required_table_still_stops_the_build(few_tables: Built, tmp_path: Path) -> None:
    with frozen_clock(datetime.combine(END, time(6), tzinfo=UTC).replace(month=8)):
        stale = run_build(tmp_path, few_tables.raw, freshness="error")
    assert stale.summary.stage_failed == "freshness"
    assert {f["name"] for f in stale.summary.failing} >= {"crm.crm_orders", "crm.crm_contacts"}
