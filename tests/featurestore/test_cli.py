"""`mfs publish` as a user runs it: JSON on stdout, clear errors, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builds import Built

MFS = str(Path(sys.executable).with_name("mfs"))
pytestmark = pytest.mark.slow


def run(features: Path, data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "MFS_FEAST_ENV"}
    environ.update(MFS_FEATURES_DIR=str(features), MFS_DATA_DIR=str(data), **env)
    return subprocess.run([MFS, "publish", *args], capture_output=True, text=True, timeout=600,
                          env=environ)


def test_publish_prints_json_and_a_rerun_writes_nothing(clean_build: Built, tmp_path: Path
                                                        ) -> None:
    first = run(clean_build.features, tmp_path, "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["written"] > 0
    assert {v["view"] for v in summary["views"]} >= {"customer_rfm", "lead_engagement"}
    second = run(clean_build.features, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "0 online records written (already up to date)" in second.stderr


def test_publish_without_a_build_is_a_clear_error(tmp_path: Path) -> None:
    proc = run(tmp_path / "features", tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "no build recorded here; run `mfs build` first" in proc.stderr


def test_unreachable_redis_is_a_clear_error(clean_build: Built, tmp_path: Path) -> None:
    proc = run(clean_build.features, tmp_path, MFS_FEAST_ENV="prod",
               MFS_REDIS_URL="redis://127.0.0.1:1/0",
               MFS_REGISTRY_URL=f"sqlite:///{tmp_path / 'registry.db'}")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "cannot reach the online store" in proc.stderr
