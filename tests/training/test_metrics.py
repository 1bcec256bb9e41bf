"""The model card's metrics: conventions pinned on hand-made cases, invariants on random ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.metrics import (
    MetricsInputError,
    by_segment,
    calibration,
    deciles,
    evaluate,
    paired_differences,
    top_k,
    weighted_top_decile_lift,
)


def test_deciles_by_hand() -> None:
    scores = np.arange(1, 11) / 10  # 0.1 .. 1.0, one row per decile
    labels = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1])  # the three highest scores convert
    table = deciles(labels, scores)
    assert [r.max_score for r in table] == pytest.approx(list(scores[::-1]))
    assert [r.positives for r in table] == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert table[0].lift == pytest.approx(1 / 0.3)
    assert [r.cumulative_gain for r in table[:3]] == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_ties_are_broken_by_row_order_not_by_label() -> None:
    scores = np.full(20, 0.5)
    first = deciles(np.array([1] * 2 + [0] * 18), scores)
    last = deciles(np.array([0] * 18 + [1] * 2), scores)
    assert first[0].positives == 2
    assert last[0].positives == 0


def test_uneven_sizes_put_the_extra_rows_first() -> None:
    table = deciles(np.array([0, 1] * 6 + [1]), np.linspace(0, 1, 13))
    assert [r.rows for r in table] == [2, 2, 2, 1, 1, 1, 1, 1, 1, 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=10, max_size=400))
def test_gains_rise_to_one_and_lift_averages_to_one(rows: list[tuple[bool, float]]) -> None:
    labels = np.array([r[0] for r in rows])
    scores = np.array([r[1] for r in rows])
    if not labels.any():
        return
    table = deciles(labels, scores)
    gains = [r.cumulative_gain for r in table]
    assert gains == sorted(gains)
    assert gains[-1] == pytest.approx(1.0)
    weighted = sum(r.lift * r.rows for r in table) / len(labels)
    assert weighted == pytest.approx(1.0)


def test_calibration_error_is_small_when_calibrated_and_large_when_not() -> None:
    rng = np.random.default_rng(7)
    scores = rng.uniform(size=200_000)
    calibrated = rng.uniform(size=scores.size) < scores
    halved = rng.uniform(size=scores.size) < scores / 2
    _, ece_good = calibration(calibrated, scores)
    curve, ece_bad = calibration(halved, scores)
    assert ece_good < 0.01
    assert ece_bad == pytest.approx(0.25, abs=0.01)  # mean |p - p/2| for uniform p
    assert sum(b.rows for b in curve) == scores.size
    assert all(b.lower < b.mean_predicted <= b.upper for b in curve)


def test_top_k_by_hand() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
    labels = np.array([1, 0, 1, 0, 0, 0, 0, 0, 1, 0])
    result = top_k(labels, scores, 0.3)
    assert result.rows == 3
    assert result.precision == pytest.approx(2 / 3)
    assert result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 / 3)


def test_evaluate_agrees_with_the_definitions() -> None:
    rng = np.random.default_rng(3)
    scores = rng.uniform(size=5000)
    labels = rng.uniform(size=5000) < scores
    result = evaluate(labels, scores)
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    positives = labels.sum()
    mann_whitney = (ranks[labels].sum() - positives * (positives + 1) / 2) / (
        positives * (len(labels) - positives))
    assert result.roc_auc == pytest.approx(mann_whitney)
    assert result.brier == pytest.approx(np.mean((scores - labels) ** 2))
    assert result.top_decile_lift == result.deciles[0].lift
    assert [t.share for t in result.top_k] == [0.05, 0.1, 0.2]


@pytest.mark.parametrize(("labels", "scores", "message"), [
    ([0, 1], [0.5, float("nan")], "without NaN"),
    ([0, 1], [0.5, 1.2], r"in \[0, 1\]"),
    ([0, 2], [0.5, 0.4], "0/1"),
    ([1, 1], [0.5, 0.4], "both outcomes"),
    ([0, 1, 1], [0.5, 0.4], "same length"),
])
def test_bad_input_is_named(labels: list, scores: list, message: str) -> None:
    with pytest.raises(MetricsInputError, match=message):
        evaluate(np.array(labels), np.array(scores))


def test_segments_too_small_or_one_sided_say_why() -> None:
    rng = np.random.default_rng(1)
    scores = rng.uniform(size=300)
    labels = rng.uniform(size=300) < scores
    segments = np.array(["b2c"] * 240 + ["b2b"] * 40 + ["partner"] * 20)
    labels[280:] = False
    result = by_segment(labels, scores, segments)
    assert result["b2b"] == "only 40 rows (< 50)"
    assert result["partner"] == "only 20 rows (< 50)"
    assert result["b2c"].rows == 240


def test_paired_differences_by_entity() -> None:
    """A clearly better scorer: a positive AUC difference whose interval excludes zero; the
    same scorer against itself: zero, and no evidence either way."""
    rng = np.random.default_rng(0)
    entities = np.repeat(np.arange(400), 5)  # five as-of times each
    truth = rng.random(entities.size)
    labels = rng.random(entities.size) < truth
    good, noisy = truth, truth + rng.normal(0, 0.6, entities.size)
    better = paired_differences(labels, good, noisy, entities, rounds=100)
    assert better["roc_auc"].difference > 0
    assert better["roc_auc"].significant
    assert better["roc_auc"].low <= better["roc_auc"].difference <= better["roc_auc"].high
    same = paired_differences(labels, good, good, entities, rounds=50)
    assert same["roc_auc"].difference == 0
    assert not same["roc_auc"].significant
    assert "not significant" in same["roc_auc"].describe()


def test_weighted_lift_with_unit_weights_is_the_decile_lift() -> None:
    rng = np.random.default_rng(1)
    labels = rng.random(1000) < 0.2
    scores = (rng.random(1000) + labels * 0.3) / 1.3
    assert weighted_top_decile_lift(labels.astype(float), scores, np.ones(1000)) == \
        pytest.approx(evaluate(labels, scores).top_decile_lift)
