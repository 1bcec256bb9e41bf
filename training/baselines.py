"""The baselines every model must beat on its test window.

- **RFM** (purchase propensity): the marketer's classic. Recency (days since the last order),
  frequency (orders in 365 days) and monetary value (net revenue in 365 days) each score 1-5 by
  the quintile edges of the training rows (recent, frequent and big spenders score 5; customers
  who never ordered score 1 on all three); the rule score is R + F + M (3-15).
- **Lead points** (lead scoring): a points table like the manual lead scores of HubSpot and
  Salesforce: fit (seniority, company size, source) plus engagement (pricing-page views, form
  submits, visits, each capped), minus points for going quiet, with a decay by lead age. The
  table is below, in one place, and in docs/training.md.
- **Logistic regression** on the same features (missing values imputed with the training median
  plus a missing flag, numbers standardised, categories one-hot).
- **BG/NBD** (purchase propensity, `btyd_baseline: true`): the buy-till-you-die model, fitted at
  each as-of time on that time's customers (their history up to it, nothing later), giving
  P(a purchase within the horizon) (training/btyd.py).

Rules produce points, not probabilities: each is turned into a probability by an isotonic
regression fitted on the training rows (the points' observed purchase rate, kept monotone), so
that log loss, Brier and calibration compare like with like. Ranking metrics are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from training import btyd
from training.features import FeatureEncoder

# Lead points: (feature, value or threshold) -> points. A HubSpot-style manual score.
LEAD_FIT_POINTS = {
    "title_seniority": {"c_level": 20, "vp": 15, "director": 10, "manager": 5},
    "company_size_band": {"1000+": 15, "250-999": 10, "50-249": 5},
    "lead_source": {"partner_referral": 15, "webinar": 10, "web_form": 10, "trade_show": 5,
                    "content_download": 3},
}
LEAD_ENGAGEMENT_POINTS = {  # feature: (points per event, cap)
    "pricing_views_since_created": (5, 25),
    "form_submits_since_created": (10, 20),
    "visits_since_created": (2, 20),
}
LEAD_EXISTING_CONTACT_POINTS = 5
LEAD_QUIET_AFTER_DAYS, LEAD_QUIET_POINTS = 30, -10
# Score decay by lead age (HubSpot's "score decay"): fresh leads are hot, old open ones cold.
LEAD_AGE_POINTS = ((14, 15), (30, 10), (60, 5), (120, 0))  # (at most this many days, points)
LEAD_OLDER_POINTS = -10


def lead_points(frame: pd.DataFrame) -> np.ndarray:
    points = np.zeros(len(frame))
    for column, table in LEAD_FIT_POINTS.items():
        points += frame[column].map(table).fillna(0).to_numpy(dtype=float)
    for column, (per_event, cap) in LEAD_ENGAGEMENT_POINTS.items():
        points += np.minimum(frame[column].fillna(0).to_numpy(dtype=float) * per_event, cap)
    points += np.where(frame["is_existing_contact"].fillna(False).astype(bool),
                       LEAD_EXISTING_CONTACT_POINTS, 0)
    quiet = frame["days_since_last_visit"].isna() | (
        frame["days_since_last_visit"] > LEAD_QUIET_AFTER_DAYS)
    points += np.where(quiet.to_numpy(), LEAD_QUIET_POINTS, 0)
    age = frame["lead_age_days"].to_numpy(dtype=float, na_value=np.inf)
    age_points = np.full(len(frame), float(LEAD_OLDER_POINTS))
    for limit, value in reversed(LEAD_AGE_POINTS):
        age_points = np.where(age <= limit, value, age_points)
    return points + age_points


@dataclass
class RfmRule:
    """R, F and M scored 1-5 on quintile edges learned from the training rows."""

    edges: dict[str, np.ndarray] = field(default_factory=dict)

    RECENCY, FREQUENCY, MONETARY = ("days_since_last_order", "orders_365d",
                                    "net_revenue_365d_usd")

    def fit(self, frame: pd.DataFrame) -> RfmRule:
        buyers = frame[frame[self.RECENCY].notna()]
        quintiles = [0.2, 0.4, 0.6, 0.8]
        for column in (self.RECENCY, self.FREQUENCY, self.MONETARY):
            values = buyers[column].dropna().to_numpy(dtype=float)
            self.edges[column] = (np.quantile(values, quintiles) if len(values)
                                  else np.zeros(4))
        return self

    def points(self, frame: pd.DataFrame) -> np.ndarray:
        recency = frame[self.RECENCY].to_numpy(dtype=float, na_value=np.nan)
        # Fewer days since the last order is better: 5 for the most recent fifth.
        r = 5 - np.searchsorted(self.edges[self.RECENCY], recency, side="left")
        r = np.where(np.isnan(recency), 1, np.clip(r, 1, 5))
        scores = [r]
        for column in (self.FREQUENCY, self.MONETARY):
            values = np.nan_to_num(frame[column].to_numpy(dtype=float, na_value=0.0))
            scores.append(np.clip(1 + np.searchsorted(self.edges[column], values, side="right"),
                                  1, 5))
        total = sum(scores)
        return np.where(np.isnan(recency), 3, total).astype(float)


@dataclass
class RuleBaseline:
    """A points rule made into probabilities by an isotonic fit on the training rows."""

    kind: str
    rfm: RfmRule | None = None
    calibration: IsotonicRegression | None = None

    def _points(self, frame: pd.DataFrame) -> np.ndarray:
        if self.kind == "rfm":
            assert self.rfm is not None
            return self.rfm.points(frame)
        return lead_points(frame)

    def fit(self, frame: pd.DataFrame, labels: np.ndarray) -> RuleBaseline:
        if self.kind == "rfm":
            self.rfm = RfmRule().fit(frame)
        self.calibration = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        self.calibration.fit(self._points(frame), labels.astype(float))
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        assert self.calibration is not None, "fit first"
        return np.clip(self.calibration.predict(self._points(frame)), 0.0, 1.0)


def logistic_baseline(encoder: FeatureEncoder, seed: int) -> Pipeline:
    """Logistic regression over the raw feature frame (not the XGBoost matrix)."""
    numeric = [f.name for f in encoder.features if f.kind != "categorical"]
    categorical = [f.name for f in encoder.features if f.kind == "categorical"]
    prepare = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median", add_indicator=True,
                                                keep_empty_features=True),
                                  StandardScaler()), numeric),
        ("categorical", make_pipeline(
            SimpleImputer(strategy="constant", fill_value="(missing)"),
            OneHotEncoder(handle_unknown="ignore")), categorical),
    ])
    return Pipeline([("prepare", prepare),
                     ("model", LogisticRegression(max_iter=2000, C=1.0, random_state=seed))])


def logistic_frame(frame: pd.DataFrame, encoder: FeatureEncoder) -> pd.DataFrame:
    """The features as sklearn wants them: numbers as the model encodes them (booleans 0/1,
    missing NaN), strings as they are."""
    matrix = encoder.transform(frame)
    out = {}
    for j, spec in enumerate(encoder.features):
        if spec.kind == "categorical":
            column = frame[spec.name].astype("object")
            out[spec.name] = column.where(column.notna(), None)
        else:
            out[spec.name] = matrix[:, j].astype(np.float64)
    return pd.DataFrame(out, index=frame.index)


class BgNbdBaseline:
    """BG/NBD fitted separately at each as-of time of the rows it scores, on those rows: every
    input is a point-in-time feature, so each fit sees only history before its as-of time."""

    INPUTS = ("orders_lifetime", "tenure_days", "days_since_last_order")

    def __init__(self, horizon_days: int, as_of_column: str) -> None:
        self.horizon_days, self.as_of_column = horizon_days, as_of_column

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.INPUTS if c not in frame]
        if missing:
            raise ValueError(f"BG/NBD needs the features {missing}; not in the feature service")
        out = np.empty(len(frame))
        for rows in frame.groupby(self.as_of_column, sort=False).indices.values():
            part = frame.iloc[rows]
            x, t_x, big_t = btyd.history_inputs(*(part[c].to_numpy(dtype=np.float64)
                                                  for c in self.INPUTS))
            out[rows] = btyd.fit(x, t_x, big_t).purchase_probability(self.horizon_days,
                                                                     x, t_x, big_t)
        return out
