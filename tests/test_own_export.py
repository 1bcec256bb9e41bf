"""A company's own export with only the required tables (contacts and orders: no consent log,
web analytics, ads, leads or accounts), each with only the columns it must have, as a new user
brings it: `mfs validate` accepts it, `mfs run --train` ends with exit 0, trains and scores what
the data supports and says why it skipped the rest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from mfs.contract.schema import TABLES, TABLES_BY_NAME
from mfs.contract.validate import validate_directory
from tests.conftest import END, make_raw

pytestmark = pytest.mark.slow
MFS = str(Path(sys.executable).with_name("mfs"))
REQUIRED = {t.name for t in TABLES if t.required}


def test_run_train_on_the_required_tables_alone(tmp_path: Path) -> None:
    make_raw(tmp_path, customers=1000, seed=11)
    raw = tmp_path / "raw"
    for path in raw.glob("*.parquet"):
        if path.stem not in REQUIRED:
            path.unlink()
            continue
        musts = [c.name for c in TABLES_BY_NAME[path.stem].columns if not c.may_be_absent]
        pq.write_table(pq.read_table(path, columns=musts), path)
    report = validate_directory(raw)
    assert report.ok, [v.message for v in report.violations]
    absent = {t.table: t.absent_columns for t in report.tables}
    assert "status (= completed)" in absent["crm_orders"]
    assert "country (null)" in absent["crm_contacts"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MFS_")}
    env.update(MFS_DATA_DIR=str(tmp_path / "data"), MFS_RAW_DIR=str(raw),
               MFS_NOW=datetime.combine(END, time(6), tzinfo=UTC).isoformat())

    def mfs(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([MFS, *args], env=env, capture_output=True, text=True,
                              timeout=1200)

    run = mfs("run", "--train", "--json")  # freshness as an error: the data is fresh
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    steps = {s["name"]: s for s in json.loads(run.stdout)["steps"]}
    assert steps["build"]["status"] in ("ok", "warn")
    assert steps["train lead_scoring"]["status"] == "skipped"
    assert "lead_labels has no rows: the data has no leads" in steps["train lead_scoring"][
        "detail"]
    assert steps["train purchase_propensity"]["status"] == "ok"
    assert not [s for s in steps.values() if s["status"] == "failed"]
    for step in steps.values():
        if step["status"] == "skipped":
            assert step["detail"], step

    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as con:
        orders = con.execute("select count(*), count(*) filter (where status = 'completed' "
                             "and item_count = 1 and channel is null) from stg_crm__orders"
                             ).fetchone()
        stages = dict(con.execute("select lifecycle_stage, count(*) from customer_profile "
                                  "group by all").fetchall())
    assert orders[0] == orders[1] > 0  # the documented defaults of the absent columns
    assert set(stages) == {"customer", "lead"}  # derived: the export has no stage

    alone = mfs("train", "lead-scoring")
    assert alone.returncode == 0, alone.stderr[-2000:]
    assert "skipped" in alone.stderr
    assert "no rows" in " ".join(alone.stderr.split())
    status = mfs("status", "--json")
    assert status.returncode == 0, status.stderr[-2000:]
    assert json.loads(status.stdout)["data_quality"]["status"] == "green"
