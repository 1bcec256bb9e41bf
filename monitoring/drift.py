"""Data drift: how far today's features and scores have moved from the model's test window.

Per feature and for the score, the population stability index (PSI) between the reference
(`reference.parquet`, saved at training) and the current sample:

    PSI = sum over bins of (cur% - ref%) * ln(cur% / ref%)

- numeric: ten bins at the reference's deciles (fewer when values repeat), plus a bin of its
  own for missing values, so a feature that starts arriving empty shows up in the PSI too;
- categorical and boolean: one bin per value seen in the reference, one for missing, and one
  for values the reference never had (listed as new categories);
- empty bins get a share of 0.0001 so the logarithm stays finite (the usual convention).

Thresholds (monitoring/thresholds.yaml): by convention a PSI below 0.1 is stable, 0.1-0.25 a
moderate shift to watch, above 0.25 a shift that needs action. The missing-value rate is also
compared directly, and any new category is reported.

Features that move with the calendar by construction (dbt YAML `meta: {trend: calendar}`:
tenure, days since the last order or visit) grow by one a day for everyone whose history did
not change, so an ageing cohort drifts away from its reference without anything being wrong.
Each is compared twice: as it is, and with every reference value aged by the days between its
as-of time and the current one; the smaller PSI decides (`compared` says which). A population
in steady state is stable as it is, an ageing cohort once aged; a real change moves both.

Why not Evidently or NannyML: both compute PSI among many other things, but each brings tens of
dependencies (Evidently pins its own pandas/numpy ranges next to Feast's pandas<3), renders its
own report format, and would make the JSON result's shape someone else's. PSI with missing and
unseen bins is a few lines of NumPy, testable against hand-computed values.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

EPSILON = 1e-4
MISSING, NEW = "(missing)", "(new)"


@dataclass(frozen=True)
class Thresholds:
    psi_warn: float = 0.1
    psi_alert: float = 0.25
    missing_rate_alert: float = 0.1  # absolute change in the share of missing values
    score_psi_alert: float = 0.25


@dataclass
class FeatureDrift:
    feature: str
    kind: str  # numeric | categorical
    psi: float
    missing_rate_reference: float
    missing_rate_current: float
    new_categories: list[str] = field(default_factory=list)
    bins: list[dict[str, Any]] = field(default_factory=list)  # label, reference, current
    status: str = "stable"  # stable | warn | alert
    compared: str = "as is"  # calendar features: "as is" or "aged to now"
    psi_as_is: float | None = None  # calendar features: the PSI before ageing

    @property
    def psi_text(self) -> str:
        """The PSI as reports show it, saying when a calendar feature was compared aged."""
        if self.compared == "aged to now" and self.psi_as_is is not None:
            return f"{self.psi:.4f} aged to now ({self.psi_as_is:.4f} as is)"
        return f"{self.psi:.4f}"


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """PSI of two share vectors over the same bins."""
    ref = np.clip(reference, EPSILON, None)
    cur = np.clip(current, EPSILON, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total else counts.astype(float)


def numeric_bins(reference: pd.Series, current: pd.Series
                 ) -> tuple[list[str], np.ndarray, np.ndarray]:
    ref = pd.to_numeric(reference, errors="coerce").astype(float)
    cur = pd.to_numeric(current, errors="coerce").astype(float)
    present = ref.dropna().to_numpy()
    edges = np.unique(np.quantile(present, np.linspace(0, 1, 11)[1:-1])) if len(present) else \
        np.array([])
    labels = ([f"<= {edges[0]:g}"] if len(edges) else ["all"]) + [
        f"({lo:g}, {hi:g}]" for lo, hi in itertools.pairwise(edges)] + (
        [f"> {edges[-1]:g}"] if len(edges) else [])

    def counts(values: pd.Series) -> np.ndarray:
        kept = values.dropna().to_numpy()
        binned = np.bincount(np.searchsorted(edges, kept, side="left"),
                             minlength=len(edges) + 1) if len(edges) else np.array([len(kept)])
        return np.append(binned, values.isna().sum())

    return [*labels, MISSING], counts(ref), counts(cur)


def categorical_bins(reference: pd.Series, current: pd.Series
                     ) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    ref = reference.astype(object).where(reference.notna(), None)
    cur = current.astype(object).where(current.notna(), None)
    categories = sorted({str(v) for v in ref.dropna()})
    new = sorted({str(v) for v in cur.dropna()} - set(categories))

    def counts(values: pd.Series) -> np.ndarray:
        as_text = values.dropna().map(str)
        known = as_text.value_counts().reindex(categories, fill_value=0).to_numpy()
        unseen = int((~as_text.isin(categories)).sum())
        return np.append(known, [values.isna().sum(), unseen])

    return [*categories, MISSING, NEW], counts(ref), counts(cur), new


def feature_drift(name: str, kind: str, reference: pd.Series, current: pd.Series,
                  thresholds: Thresholds, age_days: pd.Series | None = None) -> FeatureDrift:
    """PSI, missing rates and new categories of one feature; with `age_days` (a calendar
    feature: days from each reference row's as-of time to the current one), also against the
    aged reference, keeping the smaller PSI."""
    result = _compare(name, kind, reference, current)
    if age_days is not None and kind == "numeric":
        aged = _compare(name, kind, pd.to_numeric(reference, errors="coerce") + age_days, current)
        as_is = result.psi
        if aged.psi < result.psi:
            result = aged
            result.compared = "aged to now"
        result.psi_as_is = as_is
    missing_shift = abs(result.missing_rate_current - result.missing_rate_reference)
    if result.psi >= thresholds.psi_alert or missing_shift >= thresholds.missing_rate_alert \
            or result.new_categories:
        result.status = "alert"
    elif result.psi >= thresholds.psi_warn:
        result.status = "warn"
    return result


def _compare(name: str, kind: str, reference: pd.Series, current: pd.Series) -> FeatureDrift:
    new: list[str] = []
    if kind == "numeric":
        labels, ref_counts, cur_counts = numeric_bins(reference, current)
    else:
        labels, ref_counts, cur_counts, new = categorical_bins(reference, current)
    ref_shares, cur_shares = _shares(ref_counts), _shares(cur_counts)
    return FeatureDrift(
        name, kind, round(psi(ref_shares, cur_shares), 6), float(reference.isna().mean()),
        float(current.isna().mean()), new,
        [{"bin": label, "reference": round(float(r), 6), "current": round(float(c), 6)}
         for label, r, c in zip(labels, ref_shares, cur_shares, strict=True)])


@dataclass
class DriftReport:
    model: str
    version: int
    reference_rows: int
    current_rows: int
    features_as_of: str
    thresholds: Thresholds
    score: FeatureDrift
    features: list[FeatureDrift]

    @property
    def alerts(self) -> list[str]:
        names = [f.feature for f in self.features if f.status == "alert"]
        if self.score.psi >= self.thresholds.score_psi_alert:
            names.append("score")
        return names

    @property
    def drifted(self) -> bool:
        return bool(self.alerts)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["alerts"] = self.alerts
        out["drifted"] = self.drifted
        return out


def drift_report(model: str, version: int, features_as_of: str, kinds: dict[str, str],
                 reference: pd.DataFrame, current: pd.DataFrame, score_column: str,
                 current_scores: pd.Series, thresholds: Thresholds,
                 calendar: frozenset[str] = frozenset(),
                 reference_as_of: pd.Series | None = None) -> DriftReport:
    """Every feature of `kinds` (name -> numeric | categorical | boolean) and the score; the
    `calendar` features also against the reference aged from `reference_as_of` (each row's
    as-of time) to `features_as_of`."""
    age_days = None
    if calendar and reference_as_of is not None:
        now = pd.Timestamp(features_as_of)
        age_days = ((now - pd.to_datetime(reference_as_of, utc=True)).dt.total_seconds()
                    / 86_400).round().reset_index(drop=True)
    features = [feature_drift(name, "numeric" if kind == "numeric" else "categorical",
                              reference[name].reset_index(drop=True), current[name], thresholds,
                              age_days if name in calendar else None)
                for name, kind in kinds.items()]
    features.sort(key=lambda f: (-{"alert": 2, "warn": 1, "stable": 0}[f.status], -f.psi))
    score = feature_drift("score", "numeric", reference[score_column], current_scores,
                          thresholds)
    score.status = "alert" if score.psi >= thresholds.score_psi_alert else (
        "warn" if score.psi >= thresholds.psi_warn else "stable")
    return DriftReport(model, version, len(reference), len(current), features_as_of,
                       thresholds, score, features)
