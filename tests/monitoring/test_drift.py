"""PSI and its bins, against hand-computed values and injected shifts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from monitoring.drift import (
    Thresholds,
    categorical_bins,
    drift_report,
    feature_drift,
    numeric_bins,
    psi,
)


def test_psi_matches_the_formula() -> None:
    ref, cur = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    expected = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    assert psi(ref, cur) == pytest.approx(expected)
    assert psi(ref, ref) == 0
    assert math.isfinite(psi(np.array([1.0, 0.0]), np.array([0.0, 1.0])))  # empty bins


def test_numeric_bins_are_reference_deciles_plus_missing() -> None:
    reference = pd.Series(np.arange(1, 101, dtype=float))
    labels, ref_counts, cur_counts = numeric_bins(reference, pd.Series([1.0, 200.0, None]))
    assert len(labels) == 11
    assert labels[-1] == "(missing)"
    assert list(ref_counts) == [10] * 10 + [0]
    assert (cur_counts[0], cur_counts[-2], cur_counts[-1]) == (1, 1, 1)


def test_categorical_bins_count_missing_and_new_values() -> None:
    labels, ref, cur, new = categorical_bins(pd.Series(["a", "b", None]),
                                             pd.Series(["a", "z", "z", None]))
    assert labels == ["a", "b", "(missing)", "(new)"]
    assert list(ref) == [1, 1, 1, 0]
    assert list(cur) == [1, 0, 1, 2]
    assert new == ["z"]


def test_no_drift_between_two_samples_of_one_population_and_drift_after_a_shift() -> None:
    rng = np.random.default_rng(7)
    reference = pd.Series(rng.gamma(2.0, 3.0, 20_000))
    same = pd.Series(rng.gamma(2.0, 3.0, 20_000))
    shifted = pd.Series(rng.gamma(2.0, 3.0, 20_000) * 1.6)
    thresholds = Thresholds()
    assert feature_drift("x", "numeric", reference, same, thresholds).status == "stable"
    drifted = feature_drift("x", "numeric", reference, shifted, thresholds)
    assert drifted.status == "alert"
    assert drifted.psi > thresholds.psi_alert


def test_a_feature_going_missing_alerts_even_with_a_small_psi() -> None:
    reference = pd.Series(np.arange(1000, dtype=float))
    current = reference.copy()
    current[:150] = np.nan
    drift = feature_drift("x", "numeric", reference, current, Thresholds(psi_alert=10))
    assert drift.missing_rate_current == pytest.approx(0.15)
    assert drift.status == "alert"


def test_a_new_category_alerts() -> None:
    drift = feature_drift("channel", "categorical", pd.Series(["search"] * 100),
                          pd.Series(["search"] * 99 + ["tiktok"]), Thresholds(psi_alert=10))
    assert drift.new_categories == ["tiktok"]
    assert drift.status == "alert"


def _cohort(rng: np.random.Generator, size: int) -> pd.Series:
    """Tenure in days of a cohort acquired over a year."""
    return pd.Series(rng.integers(0, 365, size=size).astype(float))


def test_an_ageing_cohort_is_no_drift_for_a_calendar_feature() -> None:
    """The same customers 200 days later: every tenure grew by 200. As is, PSI says drift; the
    reference aged by the days between the as-of times says none."""
    rng = np.random.default_rng(1)
    reference = _cohort(rng, 20_000)
    current = reference + 200
    age = pd.Series(np.full(len(reference), 200.0))
    plain = feature_drift("tenure_days", "numeric", reference, current, Thresholds())
    assert plain.status == "alert"
    aged = feature_drift("tenure_days", "numeric", reference, current, Thresholds(), age)
    assert aged.status == "stable"
    assert aged.compared == "aged to now"
    assert aged.psi_as_is == pytest.approx(plain.psi)
    assert aged.psi < 0.01


def test_a_steady_population_stays_stable_as_it_is() -> None:
    """New customers replace ageing ones: the distribution does not move, ageing would move it."""
    rng = np.random.default_rng(2)
    reference, current = _cohort(rng, 20_000), _cohort(rng, 20_000)
    age = pd.Series(np.full(len(reference), 200.0))
    result = feature_drift("tenure_days", "numeric", reference, current, Thresholds(), age)
    assert result.status == "stable"
    assert result.compared == "as is"


def test_a_real_change_alerts_either_way() -> None:
    rng = np.random.default_rng(3)
    reference = _cohort(rng, 20_000)
    current = reference * 4 + 30  # neither the same population nor the same one aged
    age = pd.Series(np.full(len(reference), 30.0))
    assert feature_drift("tenure_days", "numeric", reference, current, Thresholds(),
                         age).status == "alert"


def test_only_declared_calendar_features_are_aged() -> None:
    rng = np.random.default_rng(4)
    reference = pd.DataFrame({"tenure_days": _cohort(rng, 5000),
                              "orders_lifetime": _cohort(rng, 5000)})
    current = reference + 100
    as_of = pd.Series(pd.to_datetime(["2026-01-05"] * 5000, utc=True))
    report = drift_report("m", 1, "2026-04-15T00:00:00+00:00", {
        "tenure_days": "numeric", "orders_lifetime": "numeric"}, reference.assign(s=0.5),
        current, "s", pd.Series(np.full(5000, 0.5)), Thresholds(),
        calendar=frozenset({"tenure_days"}), reference_as_of=as_of)
    status = {f.feature: (f.status, f.compared) for f in report.features}
    assert status == {"tenure_days": ("stable", "aged to now"),
                      "orders_lifetime": ("alert", "as is")}
    assert report.alerts == ["orders_lifetime"]
