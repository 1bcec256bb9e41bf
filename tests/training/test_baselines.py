"""The rule baselines score as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.baselines import RfmRule, RuleBaseline, lead_points


def customers() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 500
    return pd.DataFrame({
        "days_since_last_order": rng.integers(1, 365, n).astype(float),
        "orders_365d": rng.integers(1, 12, n),
        "net_revenue_365d_usd": rng.gamma(2, 100, n),
    })


def test_rfm_gives_recent_frequent_big_spenders_15_and_never_buyers_3() -> None:
    rule = RfmRule().fit(customers())
    best = pd.DataFrame({"days_since_last_order": [1.0], "orders_365d": [50],
                         "net_revenue_365d_usd": [1e6]})
    never = pd.DataFrame({"days_since_last_order": [None], "orders_365d": [0],
                          "net_revenue_365d_usd": [0.0]})
    worst = pd.DataFrame({"days_since_last_order": [364.0], "orders_365d": [1],
                          "net_revenue_365d_usd": [0.0]})
    assert rule.points(best)[0] == 15
    assert rule.points(never)[0] == 3
    assert rule.points(worst)[0] == 3


def test_rule_probabilities_rise_with_points() -> None:
    frame = customers()
    points = RfmRule().fit(frame).points(frame)
    labels = (points + np.random.default_rng(1).normal(0, 2, len(frame))) > 9
    baseline = RuleBaseline("rfm").fit(frame, labels)
    probabilities = baseline.predict(frame)
    order = np.argsort(points)
    assert np.all(np.diff(probabilities[order]) >= 0)


def test_lead_points_reward_fit_and_engagement_and_decay_with_age() -> None:
    lead = {"title_seniority": "c_level", "company_size_band": "1000+",
            "lead_source": "partner_referral", "pricing_views_since_created": 10,
            "form_submits_since_created": 1, "visits_since_created": 3,
            "is_existing_contact": True, "days_since_last_visit": 2, "lead_age_days": 10}
    fresh = lead_points(pd.DataFrame([lead]))[0]
    assert fresh == 20 + 15 + 15 + 25 + 10 + 6 + 5 + 15
    old_and_quiet = lead_points(pd.DataFrame([{**lead, "lead_age_days": 200,
                                               "days_since_last_visit": None}]))[0]
    assert old_and_quiet == fresh - 15 - 10 - 10


def test_training_doc_shows_the_lead_points_as_defined() -> None:
    from training import docs

    text = docs.SECTION.doc.read_text()
    assert docs.SECTION.updated(text) == text, "run `python -m training.docs` and commit"
