"""The model card's plots as PNG files: ROC, precision-recall, gains and lift, calibration, and
the SHAP summary. Matplotlib without a display (Agg); one function per figure.

Figures the card's tables already hold (AUCs, deciles, calibration bins) are drawn from the
card's metrics (`metrics[scorer]`, as `training.metrics.evaluate` produced them), so a plot and
its table can never disagree; only the curves need the scores themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display; must precede pyplot
import matplotlib.pyplot as plt
import numpy as np
from sklearn import metrics as sk

from training.features import FeatureEncoder

COLORS = {"model": "#1f5fbf", "oracle": "#555555", "logistic_regression": "#e08a1e",
          "rule_rfm": "#3a9e4f", "rule_lead_points": "#3a9e4f"}
PLOT_FILES = {"roc": "roc.png", "pr": "precision_recall.png", "gains": "gains_lift.png",
              "calibration": "calibration.png", "shap": "shap_summary.png"}


def _save(fig: plt.Figure, path: Path) -> None:
    fig.tight_layout()
    # No timestamps or software versions in the file: a re-render is byte-stable.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def _style(name: str) -> dict[str, object]:
    return {"color": COLORS.get(name), "lw": 2.2 if name == "model" else 1.3,
            "ls": "--" if name == "oracle" else "-"}


Metrics = dict[str, dict[str, Any]]


def roc(labels: np.ndarray, scores: dict[str, np.ndarray], metrics: Metrics, path: Path
        ) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for name, s in scores.items():
        fpr, tpr, _ = sk.roc_curve(labels, s)
        ax.plot(fpr, tpr, label=f"{name} (AUC {metrics[name]['roc_auc']:.3f})", **_style(name))
    ax.plot([0, 1], [0, 1], color="#bbbbbb", lw=0.8)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC, test window")
    ax.legend(fontsize=8, loc="lower right")
    _save(fig, path)


def precision_recall(labels: np.ndarray, scores: dict[str, np.ndarray], metrics: Metrics,
                     path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for name, s in scores.items():
        precision, recall, _ = sk.precision_recall_curve(labels, s)
        ax.plot(recall, precision, label=f"{name} (AP {metrics[name]['pr_auc']:.3f})",
                **_style(name))
    ax.axhline(labels.mean(), color="#bbbbbb", lw=0.8)
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall, test window")
    ax.legend(fontsize=8, loc="upper right")
    _save(fig, path)


def gains_and_lift(metrics: Metrics, path: Path) -> None:
    fig, (gains_ax, lift_ax) = plt.subplots(1, 2, figsize=(10, 4.2))
    width = 0.8 / len(metrics)
    for i, (name, m) in enumerate(metrics.items()):
        table = m["deciles"]
        gains_ax.plot([0, *[d["decile"] for d in table]],
                      [0.0, *[d["cumulative_gain"] for d in table]], marker="o", ms=3,
                      label=name, **_style(name))
        offset = (i - (len(metrics) - 1) / 2) * width
        lift_ax.bar([d["decile"] + offset for d in table], [d["lift"] for d in table],
                    width=width, label=name, color=COLORS.get(name))
    gains_ax.plot([0, 10], [0, 1], color="#bbbbbb", lw=0.8)
    gains_ax.set(xlabel="deciles targeted (highest scores first)", ylabel="share of positives",
                 title="Cumulative gains")
    lift_ax.axhline(1.0, color="#bbbbbb", lw=0.8)
    lift_ax.set(xlabel="decile (1 = highest scores)", ylabel="lift", title="Lift by decile",
                xticks=np.arange(1, 11))
    gains_ax.legend(fontsize=8, loc="lower right")
    _save(fig, path)


def reliability(metrics: Metrics, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for name, m in metrics.items():
        curve = m["calibration"]
        ax.plot([b["mean_predicted"] for b in curve], [b["observed_rate"] for b in curve],
                marker="o", ms=3, label=f"{name} (ECE {m['ece']:.3f})", **_style(name))
    ax.plot([0, 1], [0, 1], color="#bbbbbb", lw=0.8)
    ax.set(xlabel="mean predicted probability", ylabel="observed rate",
           title="Calibration (10 equal-width bins)")
    ax.legend(fontsize=8, loc="upper left")
    _save(fig, path)


def shap_summary(encoder: FeatureEncoder, rows: np.ndarray, contributions: np.ndarray,
                 path: Path, top: int = 15) -> None:
    """A beeswarm-style summary: one line per feature (most important on top), each point a
    row's SHAP value, coloured by the feature's value rank within the sample (missing: grey;
    categories have no order and are drawn in one colour)."""
    mean_abs = np.abs(contributions).mean(axis=0)
    order = np.argsort(-mean_abs, kind="stable")[:top]
    rng = np.random.default_rng(0)  # vertical jitter only; fixed so re-renders are identical
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(order) + 1.4))
    for line, j in enumerate(reversed(order)):
        values, shap = rows[:, j], contributions[:, j]
        missing = np.isnan(values)
        ranks = np.full(len(values), np.nan)
        if (~missing).any():
            ranks[~missing] = (values[~missing].argsort().argsort()
                               / max(1, (~missing).sum() - 1))
        jitter = rng.uniform(-0.3, 0.3, len(values))
        ax.scatter(shap[missing], line + jitter[missing], s=4, color="#bbbbbb", alpha=0.6)
        if encoder.features[j].kind == "categorical":
            ax.scatter(shap[~missing], line + jitter[~missing], s=4, color="#7b5ea7", alpha=0.6)
            continue
        ax.scatter(shap[~missing], line + jitter[~missing], s=4, c=ranks[~missing],
                            cmap="coolwarm", vmin=0, vmax=1, alpha=0.6)
    ax.set_yticks(range(len(order)), [encoder.names[j] for j in reversed(order)], fontsize=8)
    ax.axvline(0, color="#888888", lw=0.8)
    ax.set(xlabel="SHAP value (log-odds contribution)",
           title="SHAP summary, test window sample")
    points = plt.cm.ScalarMappable(cmap="coolwarm", norm=plt.Normalize(0, 1))
    bar = fig.colorbar(points, ax=ax, pad=0.01)
    bar.set_label("feature value (low -> high)")
    _save(fig, path)


def draw_all(folder: Path, labels: np.ndarray, scores: dict[str, np.ndarray], metrics: Metrics,
             encoder: FeatureEncoder, shap_rows: np.ndarray, shap_values: np.ndarray
             ) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    roc(labels, scores, metrics, folder / PLOT_FILES["roc"])
    precision_recall(labels, scores, metrics, folder / PLOT_FILES["pr"])
    gains_and_lift(metrics, folder / PLOT_FILES["gains"])
    reliability(metrics, folder / PLOT_FILES["calibration"])
    shap_summary(encoder, shap_rows, shap_values, folder / PLOT_FILES["shap"])
    return {key: f"{folder.name}/{name}" for key, name in PLOT_FILES.items()}
