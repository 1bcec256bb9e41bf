"""The promotion gate's decision and its reasons."""

from __future__ import annotations

from training.config import GateConfig
from training.gate import decide

GATE = GateConfig(metric="roc_auc", max_drop_vs_production=0.005)
BASELINES = {"rule_rfm": 0.60, "logistic_regression": 0.65}


def test_a_first_model_that_beats_every_baseline_is_promoted() -> None:
    decision = decide(0.70, BASELINES, None, GATE)
    assert decision.promote
    assert any("no production model yet" in r for r in decision.reasons)


def test_a_model_that_does_not_beat_a_baseline_is_refused() -> None:
    decision = decide(0.64, BASELINES, None, GATE)
    assert not decision.promote
    assert "does not beat baseline logistic_regression: roc_auc 0.6400 vs 0.6500" in (
        decision.reasons)


def test_a_drop_within_tolerance_of_production_passes_beyond_it_fails() -> None:
    assert decide(0.700, BASELINES, 0.704, GATE, production_version=3).promote
    refused = decide(0.690, BASELINES, 0.704, GATE, production_version=3)
    assert not refused.promote
    assert any(r.startswith("beyond tolerance of production v3") for r in refused.reasons)


def test_a_tie_with_a_baseline_does_not_beat_it() -> None:
    assert not decide(0.65, BASELINES, None, GATE).promote
