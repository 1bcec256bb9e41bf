"""Realised performance: past scores joined with what actually happened, once the label window
has closed, against the model card's test-window figures.

Each scoring is kept in `data/scores/history/<model>/<features_as_of>.parquet` (serving/
batch.py; `mfs score --as-of` backfills past times). For each file, the label mart gives the
outcome of every scored entity at that as-of time (`purchase_labels`, `lead_labels`); rows
whose window is still open are counted as pending. Realised ROC-AUC, PR-AUC, top-decile lift
and calibration error come from training/metrics.py, the functions the model card uses.

Alert: the realised AUC is below the card's test AUC by more than `auc_drop_alert`, and by
more than twice its standard error (Hanley & McNeil 1982), so a small week's noise does not
page anyone while a real drop does.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from mfs import paths
from mfs.parquet import read_frame
from training import card as model_card
from training.config import canonical_name, load_model_config
from training.metrics import MetricsInputError, evaluate
from training.registry import Registry

AUC_DROP_ALERT = 0.05


@dataclass
class Period:
    features_as_of: str
    model_version: int
    scored: int
    labelled: int
    pending: int
    positives: int = 0
    roc_auc: float | None = None
    auc_standard_error: float | None = None
    pr_auc: float | None = None
    top_decile_lift: float | None = None
    ece: float | None = None
    card_roc_auc: float | None = None
    card_top_decile_lift: float | None = None
    status: str = "pending"  # pending | ok | alert | too_few_outcomes


@dataclass
class PerformanceReport:
    model: str
    auc_drop_alert: float
    periods: list[Period] = field(default_factory=list)

    @property
    def alerts(self) -> list[str]:
        return [p.features_as_of for p in self.periods if p.status == "alert"]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "alerts": self.alerts, "degraded": bool(self.alerts)}


def hanley_mcneil_se(auc: float, positives: int, negatives: int) -> float:
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2)
                + (negatives - 1) * (q2 - auc**2)) / (positives * negatives)
    return math.sqrt(max(variance, 0.0))


def history_files(model: str) -> list[Path]:
    return sorted((paths.scores_dir() / "history" / model).glob("*.parquet"))


def outcomes(model: str, as_of: datetime, key: str) -> pd.DataFrame:
    """entity_id, label, complete for every label row of the model at `as_of` (`key`: the
    entity's join key, from the model card)."""
    label = load_model_config(model).label
    mart = paths.mart_export(label.mart)
    with duckdb.connect() as con:
        return con.execute(
            f"select {key} as entity_id, {label.column} as label, "
            f"{label.complete_column} as complete from read_parquet(?) "
            f"where {label.as_of_column} = ?", [str(mart), as_of]).df()


def performance_report(model: str, registry: Registry | None = None,
                       auc_drop_alert: float = AUC_DROP_ALERT) -> PerformanceReport:
    model = canonical_name(model)
    registry = registry or Registry()
    report = PerformanceReport(model, auc_drop_alert)
    cards: dict[int, dict[str, Any]] = {}
    for path in history_files(model):
        scores = read_frame(path)
        as_of = scores["features_as_of"].iloc[0].to_pydatetime()
        version = int(scores["model_version"].iloc[0])
        if version not in cards:
            cards[version] = model_card.read(registry.version_dir(model, version))
        test = cards[version]["test"]["model"]
        key = cards[version]["feature_service"]["join_key"]
        joined = scores.merge(outcomes(model, as_of, key), on="entity_id", how="left")
        closed = joined[joined["complete"].fillna(False).astype(bool)]
        period = Period(as_of.isoformat(), version, len(scores), len(closed),
                        len(scores) - len(closed), card_roc_auc=test["roc_auc"],
                        card_top_decile_lift=test["top_decile_lift"])
        report.periods.append(period)
        if closed.empty:
            continue
        y = closed["label"].astype(bool).to_numpy()
        period.positives = int(y.sum())
        try:
            realised = evaluate(y, closed["score"].to_numpy(dtype=np.float64))
        except MetricsInputError:
            period.status = "too_few_outcomes"
            continue
        period.roc_auc, period.pr_auc = realised.roc_auc, realised.pr_auc
        period.top_decile_lift, period.ece = realised.top_decile_lift, realised.ece
        period.auc_standard_error = hanley_mcneil_se(realised.roc_auc, period.positives,
                                                     len(y) - period.positives)
        drop = test["roc_auc"] - realised.roc_auc
        period.status = ("alert" if drop > auc_drop_alert
                         and drop > 2 * period.auc_standard_error else "ok")
    return report


def write_performance(report: PerformanceReport, folder: Path) -> dict[str, Path]:
    """performance.json and performance.md (one row per scoring, oldest first)."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    rows = [[p.features_as_of[:10], f"v{p.model_version}", f"{p.scored:,}", f"{p.labelled:,}",
             f"{p.pending:,}", _f(p.roc_auc), _f(p.card_roc_auc), _f(p.top_decile_lift, 2),
             _f(p.card_top_decile_lift, 2), _f(p.ece), p.status] for p in report.periods]
    sections = [model_card.Section(
        "Realised performance by scoring",
        [f"Alert: realised AUC more than {report.auc_drop_alert} below the card's test AUC "
         "and more than two standard errors below it."],
        tables=[(["features as of", "version", "scored", "labelled", "pending", "AUC",
                  "card AUC", "lift@10%", "card lift", "ECE", "status"], rows)])]
    out = {"json": folder / "performance.json", "md": folder / "performance.md"}
    out["json"].write_text(json.dumps(report.as_dict(), indent=1, default=str))
    out["md"].write_text(model_card.to_markdown(f"Performance: {report.model}", sections))
    return out


def _f(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
