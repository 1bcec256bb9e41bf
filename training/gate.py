"""The promotion gate: a pure decision over test-window metrics, with its reasons.

A candidate is promoted only if, on its test window,
1. it beats every baseline (the rule score and the logistic regression) on the gate metric, and
2. it is not worse than the current production model, scored on the same rows, by more than the
   stated tolerance (`gate.max_drop_vs_production` in the model's yaml).
Every check yields a reason, passed or failed, and the decision is recorded in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from training.config import GateConfig
from training.metrics import Difference


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    metric: str
    reasons: list[str]

    def as_dict(self) -> dict[str, object]:
        return {"promote": self.promote, "metric": self.metric, "reasons": self.reasons}


def decide(candidate: float, baselines: dict[str, float], production: float | None,
           config: GateConfig, production_version: int | None = None,
           margins: dict[str, Difference] | None = None) -> GateDecision:
    """`candidate`, `baselines` and `production` are the gate metric on the same test rows;
    `margins` the candidate-minus-baseline differences with their 95% intervals, which each
    reason states (a difference whose interval spans zero is said to be not significant)."""
    metric, reasons, ok = config.metric, [], True
    for name, value in sorted(baselines.items()):
        beats = candidate > value
        ok &= beats
        margin = (margins or {}).get(name)
        reasons.append(f"{'beats' if beats else 'does not beat'} baseline {name}: {metric} "
                       f"{candidate:.4f} vs {value:.4f}"
                       + (f", {margin.describe()}" if margin else ""))
    if production is None:
        reasons.append("no production model yet: nothing to compare with")
    else:
        drop = production - candidate
        within = drop <= config.max_drop_vs_production
        ok &= within
        reasons.append(
            f"{'within' if within else 'beyond'} tolerance of production v{production_version}: "
            f"{metric} {candidate:.4f} vs {production:.4f} (drop {drop:+.4f}, allowed "
            f"{config.max_drop_vs_production:.4f})")
    return GateDecision(ok, metric, reasons)
