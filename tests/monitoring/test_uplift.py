"""Uplift against the holdout: the statistics on simulated populations, then the whole loop on
generated data with a known treatment effect (export -> the world goes on with the treated
ordering more -> build -> measure)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from audiences.config import load_audience
from audiences.export import export_audience, exports_dir
from mfs.synthetic.generate import GenerateOptions, generate
from mfs.synthetic.treatment import TreatmentError
from monitoring.uplift import compare, uplift_report
from tests.builds import run_build
from tests.conftest import END, SMALL
from tests.served import ServedWorld
from tests.serving.conftest import MFS


def test_a_worked_example() -> None:
    """60/300 treated vs 30/300 control: RR 2, Katz interval exp(ln 2 +- 1.96 * 0.2082) - 1."""
    c = compare(60, 300, 30, 300)
    assert c.relative_uplift == pytest.approx(1.0)
    assert c.ci_low == pytest.approx(0.3300, abs=1e-3)
    assert c.ci_high == pytest.approx(2.0076, abs=1e-3)
    assert c.p_value == pytest.approx(0.00087, abs=5e-5)
    assert c.verdict == "uplift"


def _simulate(uplift: float, reps: int, n: int, base: float, seed: int) -> list:
    rng = np.random.default_rng(seed)
    treated = rng.binomial(n, base * (1 + uplift), size=reps)
    control = rng.binomial(n, base, size=reps)
    return [compare(int(t), n, int(c), n) for t, c in zip(treated, control, strict=True)]


def test_the_interval_covers_the_true_uplift_95_percent_of_the_time() -> None:
    results = _simulate(0.3, reps=1000, n=4000, base=0.08, seed=7)
    covered = np.mean([r.ci_low <= 0.3 <= r.ci_high for r in results])
    assert 0.93 <= covered <= 0.97
    assert np.mean([r.verdict == "uplift" for r in results]) > 0.95  # the power to see it


def test_no_effect_is_flagged_and_rarely_mistaken_for_uplift() -> None:
    results = _simulate(0.0, reps=1000, n=4000, base=0.08, seed=8)
    verdicts = [r.verdict for r in results]
    assert verdicts.count("uplift") / len(verdicts) < 0.04  # alpha/2 = 2.5% expected
    assert verdicts.count("no_uplift") / len(verdicts) > 0.92


def test_a_group_without_conversions_gets_an_exact_test_and_no_interval() -> None:
    c = compare(9, 100, 0, 100)
    assert c.test == "fisher_exact"
    assert c.ci_low is None
    assert c.relative_uplift is None
    assert c.verdict == "uplift"  # 9 vs 0 of 100 is significant (p = 0.003)
    assert compare(0, 50, 0, 50).verdict == "no_uplift"


@pytest.fixture(scope="module")
def measured(served_world: ServedWorld, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """An everyone-with-consent audience split 50/50 at the end of the shared data; then the
    same world 31 days longer, once with the treated ordering 60% more and once with no
    effect, each built and measured."""
    root = tmp_path_factory.mktemp("uplift")
    world = served_world.private_copy(root)
    exported_at = datetime(END.year, END.month, END.day, tzinfo=UTC)
    base = load_audience("high_propensity_buyers")
    audience = base.model_copy(update={
        "name": "uplift_check", "selection": base.selection.model_copy(
            update={"top_percent": 100.0}), "filters": base.filters.model_copy(
            update={"lifecycle_stages": None}), "min_size": 1, "holdout_percent": 50.0,
        "destinations": ["crm"]})
    out: dict = {}
    with world.environment():
        export = export_audience(audience, now=exported_at)
        with pytest.raises(TreatmentError, match="--end 2026-07-31"):
            generate(GenerateOptions(out=root / "early" / "raw", customers=SMALL, seed=42,
                                     end=END + timedelta(days=20), days=385,
                                     treatment_export=export.folder, uplift=0.6))
        for name, uplift in (("treated", 0.6), ("null", 0.0)):
            later = root / name
            generate(GenerateOptions(out=later / "raw", truth_out=later / "truth",
                                     customers=SMALL, seed=42, end=END + timedelta(days=31),
                                     days=365 + 31, treatment_export=export.folder,
                                     uplift=uplift))
            built = run_build(later / "build", later / "raw")
            assert built.summary.success, built.summary.failing
            with world.environment(MFS_WAREHOUSE=str(built.warehouse)):
                report = uplift_report(exports_dir(), "uplift_check")
            truth = json.loads((later / "truth" / "treatment_effect.json").read_text())
            out[name] = (report, truth)
            out[f"{name}_warehouse"] = built.warehouse
    out["export"], out["world"] = export, world
    return out


def test_the_measured_uplift_recovers_the_simulated_effect(measured: dict) -> None:
    report, truth = measured["treated"]
    [result] = report.exports
    c = result.comparison
    assert truth["true_relative_uplift"] == 0.6
    assert truth["treated_in_data"] == c.treated == measured["export"].manifest["counts"][
        "treatment"]
    assert c.control == measured["export"].manifest["counts"]["holdout"] > 100
    assert truth["orders_added"] > 0
    assert c.ci_low <= 0.6 <= c.ci_high
    assert c.verdict == "uplift"
    assert not report.flagged


def test_without_an_effect_the_export_is_flagged(measured: dict) -> None:
    report, truth = measured["null"]
    [result] = report.exports
    assert truth["orders_added"] == 0
    assert result.comparison.ci_low <= 0 <= result.comparison.ci_high
    assert result.comparison.verdict == "no_uplift"
    assert [e.export_id for e in report.flagged] == [result.export_id]


def test_an_export_whose_window_is_open_is_not_judged(measured: dict,
                                                      served_world: ServedWorld) -> None:
    """Measured on the data it was exported from, the window has not even started."""
    with served_world.environment(MFS_EXPORTS_DIR=str(Path(measured["export"].folder).parents[1]),
                                  MFS_WAREHOUSE=str(served_world.build.warehouse)):
        [result] = uplift_report(exports_dir(), "uplift_check").exports
    assert result.comparison.verdict == "window_open"


def test_the_cli_flags_it_and_status_shows_it(measured: dict) -> None:
    """`mfs monitor uplift` exits 3 on the null world and `mfs status` shows the verdict."""
    world: ServedWorld = measured["world"]
    env = {**os.environ, **world.env, "MFS_WAREHOUSE": str(measured["null_warehouse"])}
    done = subprocess.run([MFS, "monitor", "uplift", "uplift_check", "--json"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout)["flagged"] == [
        f"uplift_check/{measured['export'].export_id}"]
    status = subprocess.run([MFS, "status", "--json"], env=env, capture_output=True, text=True,
                            timeout=300, check=True)
    uplift = json.loads(status.stdout)["uplift"]["uplift_check"]
    assert uplift["verdict"] == "no_uplift"
    assert uplift["flagged"]
    shown = subprocess.run([MFS, "status"], env=env, capture_output=True, text=True,
                           timeout=300, check=True)
    assert "no_uplift" in shown.stderr
