"""bench/carry_forward.py: the carried query gives the build's numeric features.

Its timings belong to the benchmark (bench/results/); here only that the experiment measures
what it says: built on the same two-step history as tests/build/test_incremental.py, the
carried snapshots equal the build's aggregated ones, except the touch channels that
docs/scaling.md says a carried snapshot cannot know."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.carry_forward import compare
from mfs.contract.truncate import truncate_raw
from tests.build.test_incremental import CUT
from tests.builds import run_build


def test_carried_snapshots_equal_the_builds_numeric_features(
    clean_raw: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("carry_forward")
    truncate_raw(clean_raw, root / "raw_before", CUT)
    assert run_build(root, root / "raw_before").summary.success
    built = run_build(root, clean_raw)  # its new snapshots aggregated in one pass
    assert built.summary.success, built.summary.failing
    result = compare(built.warehouse, root / "target" / "run_results.json", repeats=1)
    assert result["rows"] > 0
    assert len(result["new_snapshots"]) == 2  # the dropped latest day and the new one
    differences = result["differences_from_the_build"]
    assert differences["aggregated"] == {}, "the benchmark's copy of the build query changed"
    assert set(differences["carried"]) <= {"first_touch_channel", "last_touch_channel"}, \
        differences["carried"]
