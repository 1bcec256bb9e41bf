"""`mfs run` end to end: a green run publishes, scores and exports; a run whose dbt tests fail
stops at the build, names the test, and leaves everything the last green run produced in place
(online store, models, scores, exports), while `mfs export` refuses to work from it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.builds import Built, copy_build
from tests.served import ServedWorld

pytestmark = pytest.mark.slow
MFS = str(Path(sys.executable).with_name("mfs"))


def mfs(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MFS, *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=900)


def fingerprint(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def test_a_failing_dbt_test_stops_the_run_and_leaves_the_last_green_state(
    clean_build: Built, clean_raw: Path, served_world: ServedWorld, tmp_path: Path
) -> None:
    build = copy_build(clean_build, tmp_path / "build")
    data = tmp_path / "data"
    shutil.copytree(served_world.registry.root, data / "models")
    env = {"MFS_DATA_DIR": str(data), "MFS_WAREHOUSE": str(build.warehouse),
           "MFS_FEATURES_DIR": str(build.features), "MFS_RAW_DIR": str(clean_raw),
           "MFS_TRUTH_DIR": str(clean_raw.parent / "truth")}

    green = mfs(env, "run", "--freshness", "skip", "--json")
    assert green.returncode == 0, green.stdout[-3000:] + green.stderr[-3000:]
    steps = {s["name"]: s for s in json.loads(green.stdout)["steps"]}
    assert steps["build"]["status"] in ("ok", "warn")
    assert steps["publish"]["status"] == "ok"
    assert steps["score purchase_propensity"]["status"] == "ok"
    assert steps["export high_propensity_buyers"]["status"] == "ok"
    assert steps["export hot_leads"]["status"] == "ok"

    served = [data / "feast" / "online_store.db", data / "feast" / "registry.db",
              *sorted((data / "models").rglob("registry.json")),
              *sorted((data / "scores").glob("*.parquet")),
              data / "exports" / "audit.jsonl",
              *sorted((data / "exports").glob("*/LATEST")),
              *sorted(build.features.glob("*/*.parquet"))]  # each mart's published files
    before = fingerprint(served)
    assert len(before) == len(served)
    assert any(p.suffix == ".parquet" and p.parent.parent == build.features for p in served)

    broken = tmp_path / "broken_raw"
    shutil.copytree(clean_raw, broken)
    contacts = pq.read_table(broken / "crm_contacts.parquet")
    stages = contacts.column("lifecycle_stage").to_pylist()
    stages[:3] = ["vip"] * 3  # parses, then fails the accepted_values test (severity error)
    idx = contacts.schema.get_field_index("lifecycle_stage")
    pq.write_table(contacts.set_column(idx, "lifecycle_stage", pa.array(stages, pa.string())),
                   broken / "crm_contacts.parquet")

    failed = mfs(env, "run", "--raw", str(broken), "--freshness", "skip", "--json")
    assert failed.returncode == 1
    result = json.loads(failed.stdout)
    assert [s["name"] for s in result["steps"]] == ["build"]
    assert result["steps"][0]["status"] == "failed"
    assert "accepted_values_stg_crm__contacts_lifecycle_stage" in result["steps"][0]["detail"]
    assert result["health"]["data_quality"]["status"] == "failed"
    assert fingerprint(served) == before, "the last green run's state is untouched"

    refused = mfs(env, "export", "high_propensity_buyers")
    assert refused.returncode == 1
    assert "not exporting high_propensity_buyers" in refused.stderr
    status = mfs(env, "status")
    assert "latest build failed" in status.stderr
    assert "accepted_values_stg_crm__contacts_lifecycle_stage" in status.stderr
