"""Evaluation metrics for scored populations: pure functions of labels and scores.

What a marketing model is judged on (issue 5): ranking (ROC-AUC, PR-AUC), probabilities (log
loss, Brier, the reliability curve and expected calibration error), and what a campaign gets out
of the ranking (lift and cumulative gains by decile, precision/recall/F1 when the top k% is
targeted), overall and per segment so that a weak slice is visible. The textbook metrics come
from scikit-learn; deciles, gains and calibration bins are computed here because their
conventions matter and are stated below.

Conventions:
- Deciles rank by score, highest first; ties are broken by row order (a stable sort), so equal
  scores never leak information from the labels. Decile 1 is the top 10%; with n not divisible
  by 10 the first n % 10 deciles hold one row more.
- Lift of a decile = its positive rate / the overall positive rate; cumulative gains = share of
  all positives captured by the top deciles.
- Calibration uses equal-width probability bins over [0, 1]; ECE is the bin-size-weighted mean
  |mean predicted - observed rate| over non-empty bins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn import metrics as sk


class MetricsInputError(ValueError):
    """Labels and scores that cannot be evaluated (names what is wrong)."""


def _validate(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels)
    p = np.asarray(scores, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise MetricsInputError(f"labels {y.shape} and scores {p.shape} must be 1-d, same length")
    if len(y) == 0:
        raise MetricsInputError("no rows to evaluate")
    if not np.isin(y, (0, 1, True, False)).all():
        raise MetricsInputError("labels must be 0/1 or booleans")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise MetricsInputError("scores must be probabilities in [0, 1] without NaN")
    return y.astype(int), p


@dataclass(frozen=True)
class DecileRow:
    decile: int  # 1 = the highest scores
    rows: int
    positives: int
    min_score: float
    max_score: float
    positive_rate: float
    lift: float
    cumulative_gain: float  # share of all positives in deciles 1..decile


@dataclass(frozen=True)
class CalibrationBin:
    lower: float
    upper: float
    rows: int
    mean_predicted: float
    observed_rate: float


@dataclass(frozen=True)
class TopK:
    share: float  # e.g. 0.1 for the top 10%
    rows: int
    precision: float
    recall: float
    f1: float


def deciles(labels: np.ndarray, scores: np.ndarray, groups: int = 10) -> list[DecileRow]:
    y, p = _validate(labels, scores)
    order = np.argsort(-p, kind="stable")
    total_positives = int(y.sum())
    base_rate = total_positives / len(y)
    rows, captured = [], 0
    for i, idx in enumerate(np.array_split(order, groups), start=1):
        if len(idx) == 0:
            continue
        positives = int(y[idx].sum())
        captured += positives
        rate = positives / len(idx)
        rows.append(DecileRow(
            decile=i, rows=len(idx), positives=positives,
            min_score=float(p[idx].min()), max_score=float(p[idx].max()), positive_rate=rate,
            lift=rate / base_rate if base_rate else float("nan"),
            cumulative_gain=captured / total_positives if total_positives else float("nan"),
        ))
    return rows


def calibration(labels: np.ndarray, scores: np.ndarray, bins: int = 10
                ) -> tuple[list[CalibrationBin], float]:
    """The reliability curve (non-empty bins) and the expected calibration error."""
    y, p = _validate(labels, scores)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=True), 0, bins - 1)
    curve, ece = [], 0.0
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        mean_p, rate = float(p[mask].mean()), float(y[mask].mean())
        curve.append(CalibrationBin(float(edges[b]), float(edges[b + 1]), int(mask.sum()),
                                    mean_p, rate))
        ece += mask.sum() / len(y) * abs(mean_p - rate)
    return curve, float(ece)


def top_k(labels: np.ndarray, scores: np.ndarray, share: float) -> TopK:
    """Precision, recall and F1 when the top `share` of rows by score is targeted."""
    if not 0 < share <= 1:
        raise MetricsInputError(f"share must be in (0, 1], got {share}")
    y, p = _validate(labels, scores)
    k = max(1, round(share * len(y)))
    chosen = np.argsort(-p, kind="stable")[:k]
    hits = int(y[chosen].sum())
    precision = hits / k
    recall = hits / int(y.sum()) if y.sum() else float("nan")
    f1 = (2 * precision * recall / (precision + recall)) if precision + recall else 0.0
    return TopK(share, k, precision, recall, f1)


@dataclass(frozen=True)
class Evaluation:
    rows: int
    positives: int
    roc_auc: float
    pr_auc: float
    log_loss: float
    brier: float
    ece: float
    top_decile_lift: float
    deciles: list[DecileRow]
    calibration: list[CalibrationBin]
    top_k: list[TopK]


def evaluate(labels: np.ndarray, scores: np.ndarray,
             shares: tuple[float, ...] = (0.05, 0.1, 0.2)) -> Evaluation:
    """Every metric of the model card for one population."""
    y, p = _validate(labels, scores)
    if y.min() == y.max():
        raise MetricsInputError("ranking metrics need both outcomes among the rows")
    table = deciles(y, p)
    curve, ece = calibration(y, p)
    return Evaluation(
        rows=len(y), positives=int(y.sum()),
        roc_auc=float(sk.roc_auc_score(y, p)),
        pr_auc=float(sk.average_precision_score(y, p)),
        log_loss=float(sk.log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1])),
        brier=float(sk.brier_score_loss(y, p)),
        ece=ece, top_decile_lift=table[0].lift, deciles=table, calibration=curve,
        top_k=[top_k(y, p, s) for s in shares],
    )


def by_segment(labels: np.ndarray, scores: np.ndarray, segments: np.ndarray,
               min_rows: int = 50) -> dict[str, Evaluation | str]:
    """`evaluate` per segment value; a segment too small or with one outcome says why instead."""
    y, p = _validate(labels, scores)
    segments = np.asarray(segments).astype(str)
    out: dict[str, Evaluation | str] = {}
    for value in sorted(set(segments)):
        mask = segments == value
        if mask.sum() < min_rows:
            out[value] = f"only {int(mask.sum())} rows (< {min_rows})"
        elif y[mask].min() == y[mask].max():
            out[value] = "one outcome only"
        else:
            out[value] = evaluate(y[mask], p[mask])
    return out


@dataclass(frozen=True)
class Difference:
    """A metric of a candidate minus a baseline's, on the same rows, with a 95% interval."""

    metric: str
    difference: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0

    def describe(self) -> str:
        return (f"{self.difference:+.4f} (95% CI [{self.low:+.4f}, {self.high:+.4f}]"
                + ("" if self.significant else ", not significant") + ")")


def weighted_top_decile_lift(labels: np.ndarray, scores: np.ndarray,
                             weights: np.ndarray) -> float:
    """Lift of the top 10% of the weight (ties broken by order, as `deciles` does)."""
    return _Ranked(scores).top_decile_lift(np.asarray(labels, dtype=np.float64), weights)


class _Ranked:
    """One scorer's ordering, computed once, so that each bootstrap round's weighted ROC-AUC
    and lift cost O(rows) (sklearn would sort again every round: minutes at a million rows)."""

    def __init__(self, scores: np.ndarray) -> None:
        self.order = np.argsort(-np.asarray(scores), kind="stable")
        self.levels, self.level_of = np.unique(scores, return_inverse=True)

    def roc_auc(self, y: np.ndarray, w: np.ndarray) -> float:
        """P(a positive outranks a negative), ties counting half, with row weights."""
        pos = np.bincount(self.level_of, weights=w * y, minlength=len(self.levels))
        neg = np.bincount(self.level_of, weights=w * (1 - y), minlength=len(self.levels))
        below = np.cumsum(neg) - neg
        return float((pos * (below + 0.5 * neg)).sum() / (pos.sum() * neg.sum()))

    def top_decile_lift(self, y: np.ndarray, w: np.ndarray) -> float:
        ranked_w, ranked_y = w[self.order], y[self.order]
        top = np.cumsum(ranked_w) <= 0.1 * ranked_w.sum()
        base = (w * y).sum() / w.sum()
        if not base or not ranked_w[top].sum():
            return float("nan")
        return float((ranked_w[top] * ranked_y[top]).sum() / ranked_w[top].sum() / base)


def paired_differences(labels: np.ndarray, candidate: np.ndarray, baseline: np.ndarray,
                       entities: np.ndarray, rounds: int = 200, seed: int = 0
                       ) -> dict[str, Difference]:
    """ROC-AUC and top-decile lift of candidate minus baseline, with percentile intervals from
    a paired bootstrap that resamples entities (all rows of an entity together: its as-of times
    are not independent), as row weights."""
    y = np.asarray(labels, dtype=np.float64)
    codes = np.unique(np.asarray(entities), return_inverse=True)[1]
    entity_count = int(codes.max()) + 1
    ranked = _Ranked(candidate), _Ranked(baseline)
    metrics = ("roc_auc", "top_decile_lift")

    def difference(weights: np.ndarray) -> dict[str, float]:
        return {m: getattr(ranked[0], m)(y, weights) - getattr(ranked[1], m)(y, weights)
                for m in metrics}

    point = difference(np.ones_like(y))
    draw = np.random.default_rng(seed).multinomial
    draws: dict[str, list[float]] = {m: [] for m in metrics}
    for _ in range(rounds):
        weights = draw(entity_count, np.full(entity_count, 1 / entity_count))[codes].astype(
            np.float64)
        positives = (weights * y).sum()
        if positives == 0 or positives == weights.sum():
            continue
        for m, value in difference(weights).items():
            draws[m].append(value)
    return {m: Difference(m, float(point[m]),
                          *(float(v) for v in np.nanpercentile(draws[m], [2.5, 97.5])))
            for m in metrics}
